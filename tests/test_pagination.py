"""The pager's page numbers."""

import pytest

from cpd_log.pagination import Page


def pages(total: int, page: int) -> list[int | None]:
    return list(
        Page([], page, 50, total).iter_pages(
            left_edge=1, left_current=2, right_current=3, right_edge=1
        )
    )


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [
        (0, 1, [1]),
        (50, 1, [1]),
        (51, 2, [1, 2]),
        (500, 1, [1, 2, 3, None, 10]),
        (500, 5, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (500, 10, [1, None, 8, 9, 10]),
    ],
)
def test_iter_pages(total, page, expected):
    assert pages(total, page) == expected


def test_page_count():
    assert Page([], 1, 50, 0).pages == 1
    assert Page([], 1, 50, 101).pages == 3
