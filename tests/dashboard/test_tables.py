"""Shared table pieces (dashboard.tables.base)."""

import pytest
from django.template.loader import render_to_string

from dashboard.tables.base import rag_tag
from localities.models import Rag


@pytest.mark.parametrize(
    ("rag", "label"),
    [
        *[(rag.value, None) for rag in Rag],
        *[(rag, None) for rag in Rag],
        ("RED", ""),
        (None, "No status"),
        ("", "No status"),
        (None, None),
        ("green", "Green (suggested)"),
        ("unknown-status", ""),
        ("amber", "<script>alert(1)</script>"),
    ],
)
def test_rag_tag_is_the_include_rendered_in_python(rag, label):
    expected_label = label if label is not None else (Rag(rag).label if rag else "")
    from_template = render_to_string(
        "includes/rag_tag.html", {"rag": rag, "label": expected_label}
    ).strip()

    assert rag_tag(rag, label=label) == from_template
