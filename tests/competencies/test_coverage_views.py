"""The coverage heat-map page (issue 12, item 5): its figures, its two views, its query count."""

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from cpd_log.common.dates import today_for
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, Competency, Framework
from tests import factories
from tests.schemes.test_engine_is_pure import ROOT


def _seeded() -> dict[tuple[str, str], Competency]:
    """The shipped frameworks and crosswalks; every competency by (framework slug, code)."""
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()
    rows = db.session.execute(select(Framework.slug, Competency).join(Competency.framework))
    return {(slug, c.code): c for slug, c in rows}


def _framework(slug: str) -> Framework:
    return db.session.scalar(select(Framework).where(Framework.slug == slug))


def _row(page: str, code: str) -> list[str]:
    """The figures of the table row whose heading starts with `code`."""
    table = page.split('data-testid="heatmap-table"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr")[1:] if f">{code} " in r.split("</th>")[0])
    return [cell.split("</td>")[0] for cell in row.split('<td class="text-end">')[1:]]


def test_hours_tagged_elsewhere_reach_the_talent_triangle_apart_from_those_tagged_there(
    logged_in, user
):
    codes = _seeded()
    today = today_for(user)
    factories.make_activity(
        user, [codes["pmo-practitioner", "STK.3"]], kind=ActivityKind.COURSE, start_date=today,
        minutes=240,
    )  # fmt: skip
    factories.make_activity(user, [codes["pmi-talent-triangle", "TT.PS"]], start_date=today)
    tt = _framework("pmi-talent-triangle")
    page = logged_in.get(f"/competencies/frameworks/{tt.id}/coverage").data.decode()
    assert '<svg class="heatmap-chart" role="img"' in page and 'id="heatmap-title"' in page
    assert "32 h or more" in page.split('data-testid="heatmap-legend"')[1]
    # Eight quarters, two columns each (tagged here, via a crosswalk); this quarter is the last.
    figures = _row(page, "TT.PS")
    assert len(figures) == 16 and figures[-2:] == ["1.5", "4"]
    assert set(figures[:-2]) == {"0"}
    assert _row(page, "PS")[-2:] == ["1.5", "4"]  # the area
    assert _row(page, "TT.BA")[-2:] == ["0", "0"]
    assert "TT.PS Power Skills, " in page and ", via a crosswalk: 4 h" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]

    by_framework = logged_in.get(f"/competencies/frameworks/{tt.id}/coverage?view=frameworks")
    page = by_framework.data.decode()
    head = page.split('data-testid="heatmap-table"')[1].split("</thead>")[0]
    assert "Tagged here" in head and "PMO Practitioner Framework (via crosswalk)" in head
    assert "APM Competence Framework (3rd edition) (via crosswalk)" in head
    names = ["APM", "GAPPS", "PMO", "Ten"]
    assert [n for n in names if f">{n}" in head] == names  # in the order of their names
    assert _row(page, "TT.PS")[0] == "1.5" and "4" in _row(page, "TT.PS")[1:]


def test_two_years_of_quarters_in_the_users_time_zone(logged_in, user):
    codes = _seeded()
    today = today_for(user)
    pmo = _framework("pmo-practitioner")
    stk3 = codes["pmo-practitioner", "STK.3"]
    factories.make_activity(user, [stk3], start_date=today - timedelta(days=2 * 366 + 92))
    a_year_ago = today.replace(year=today.year - 1, day=min(today.day, 28))
    factories.make_activity(user, [stk3], start_date=a_year_ago, minutes=60)
    page = logged_in.get(f"/competencies/frameworks/{pmo.id}/coverage").data.decode()
    figures = _row(page, "STK.3")
    assert figures[::2] == ["0", "0", "0", "1", "0", "0", "0", "0"]  # a year ago: 4 quarters back
    year, quarter = today.year, (today.month - 1) // 3 + 1
    assert f">{year} Q{quarter}<" in page and f">{year - 2} Q{quarter}<" not in page


def test_another_users_framework_is_not_found(logged_in, user, other_user):
    theirs = factories.make_framework(owner=other_user)
    mine = factories.make_framework(owner=user)
    assert logged_in.get(f"/competencies/frameworks/{theirs.id}/coverage").status_code == 404
    page = logged_in.get(f"/competencies/frameworks/{mine.id}/coverage?view=nonsense")
    assert page.status_code == 200 and "By quarter" in page.data.decode()
    assert f"/competencies/frameworks/{theirs.id}/" not in page.data.decode()


@pytest.mark.parametrize("view", ["quarters", "frameworks"])
def test_query_count_does_not_grow_with_data(logged_in, user, count_queries, view):
    _seeded()
    tt = _framework("pmi-talent-triangle")
    url = f"/competencies/frameworks/{tt.id}/coverage?view={view}"

    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get(url).status_code == 200
        return len(statements)

    generate_activities(user.id, 3, years=2, tags_per_activity=2, seed=1)
    db.session.commit()
    small = queries()
    generate_activities(user.id, 300, years=2, tags_per_activity=3, seed=2)
    db.session.commit()
    assert queries() == small


def test_the_counting_is_pure():
    """coverage.py and heatmap.py load where Flask and SQLAlchemy cannot be imported."""
    probe = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "import cpd_log.competencies.coverage, cpd_log.competencies.heatmap\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_pages_link_to_it(logged_in, user):
    fw = factories.make_framework(owner=user)
    url = f"/competencies/frameworks/{fw.id}"
    for page in ("/competencies/", url, f"{url}/gap"):
        assert f'href="{url}/coverage"' in logged_in.get(page).data.decode(), page
