"""Markdown renders through markdown-it-py and every hostile payload is removed by nh3."""

from html.parser import HTMLParser

import pytest

from cpd_log.reflections.rendering import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    "<object data=x></object><embed src=x>",
    "<form action=//evil.example><input name=x></form>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
]


FORBIDDEN_TAGS = {"script", "svg", "iframe", "object", "embed", "form", "input", "img", "style"}


class Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_markup_is_neutralised(payload):
    html = str(render_markdown(f"Before\n\n{payload}\n\nAfter"))
    for tag, attrs in elements(html):
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", html
            if name in ("href", "src"):
                assert (value or "").lower().startswith(("http:", "https:", "mailto:")), html
    assert "Before" in html and "After" in html


def test_the_parser_used_above_does_see_attributes():
    assert elements('<a href="javascript:x" onclick="y">') == [
        ("a", {"href": "javascript:x", "onclick": "y"})
    ]


def test_markdown_is_rendered():
    html = str(render_markdown("## Plan\n\n**bold** and *em*\n\n- one\n- two\n\n`code`"))
    assert "<h2>Plan</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert "<li>one</li>" in html and "<code>code</code>" in html


def test_links_are_nofollow_noopener():
    html = str(render_markdown("[PMO Flashmob](https://example.org/flashmob)"))
    assert 'href="https://example.org/flashmob"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_plain_text_special_characters_are_escaped():
    html = str(render_markdown('5 < 6 & "quotes" {{7*7}}'))
    assert "5 &lt; 6 &amp;" in html
    assert "{{7*7}}" in html


def test_empty_text_renders_nothing():
    assert str(render_markdown(None)) == ""
