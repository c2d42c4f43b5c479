"""Template helpers (dashboard.templatetags.dashboard_tags)."""

import pytest
from django.template import engines
from django.template.loader import render_to_string

from localities.models import Rag


@pytest.mark.parametrize(
    ("rag", "label"),
    [
        *[(rag.value, rag.label) for rag in Rag],
        ("", "No status"),
        ("amber", "<script>alert(1)</script>"),
    ],
)
def test_the_rag_tag_filter_renders_what_the_include_did(rag, label):
    """The RAG matrix used the include; the filter must give the same HTML, escaped."""
    template = engines["django"].from_string("{% load dashboard_tags %}{{ rag|rag_tag:label }}")

    rendered = template.render({"rag": rag, "label": label})

    assert (
        rendered == render_to_string("includes/rag_tag.html", {"rag": rag, "label": label}).strip()
    )
    assert "<script>" not in rendered
