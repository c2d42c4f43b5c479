"""HTML pages are sent without template indentation, and nothing else changes."""

from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from localcare.middleware import CompactHtmlMiddleware, compact_html
from updates.models import QuarterlyUpdate

TYPED = "First line\n\n    indented second line\n\t tab"


def test_indentation_and_blank_lines_go():
    html = "<ul>\n    <li>One</li>\n\n    <li>Two</li>\n</ul>\n"

    assert compact_html(html) == "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n"


def test_whitespace_that_matters_is_kept_exactly():
    kept = [
        f'<textarea name="narrative">{TYPED}</textarea>',
        "<PRE>\n    code\n</PRE>",
        '<script id="chart-data" type="application/json">{"a": "x\\n  y"}</script>',
        "<style>\n  p { margin: 0 }\n</style>",
    ]
    html = "\n    ".join(["<div>", *kept, "</div>"])

    compacted = compact_html(html)

    for block in kept:
        assert block in compacted
    assert "\n    " not in compacted.replace(kept[0], "").replace(kept[1], "")


def test_words_on_either_side_of_a_line_break_stay_apart():
    assert compact_html("<p>Spend is\n      ahead of plan</p>") == "<p>Spend is\nahead of plan</p>"


def respond(response):
    return CompactHtmlMiddleware(lambda request: response)(RequestFactory().get("/"))


def test_only_complete_html_responses_are_touched():
    csv = HttpResponse("a,b\n   c,d\n", content_type="text/csv")
    streamed = StreamingHttpResponse(iter(["<p>\n   x</p>"]), content_type="text/html")
    html = HttpResponse("<p>\n   x</p>", content_type="text/html; charset=utf-8")
    html["Content-Length"] = "13"

    assert respond(csv).content == b"a,b\n   c,d\n"
    assert b"".join(respond(streamed).streaming_content) == b"<p>\n   x</p>"
    compacted = respond(html)
    assert compacted.content == b"<p>\nx</p>"
    assert compacted["Content-Length"] == str(len(b"<p>\nx</p>"))


def test_a_leads_typed_narrative_comes_back_in_the_form_as_typed(client, lead_medway):
    update = QuarterlyUpdate.objects.get(
        locality__slug="medway", quarter__financial_year__start_year=2018, quarter__number=4
    )
    update.summary = TYPED
    update.save()
    client.force_login(lead_medway)

    response = client.get(reverse("updates:edit-section", args=["medway", "2018-19-q4", "summary"]))

    assert response.status_code == 200
    assert TYPED in response.text
    assert int(response["Content-Length"]) == len(response.content)
