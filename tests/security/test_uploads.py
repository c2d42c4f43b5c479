"""Uploads: only the quarterly-update spreadsheet takes a file, and nothing reaches disk.

The spreadsheet upload's own limits are tested where it is built
(tests/updates/test_spreadsheet.py: size refused before reading, .xlsm and
non-workbooks refused, a zip bomb refused before inflating;
tests/updates/test_spreadsheet_views.py: 413 unread, memory only). These
tests cover the rest of the site, what a formula in an upload becomes, and
XML entity attacks (XXE, billion laughs) hidden in a part re-encoded so that
a search of its bytes for "<!DOCTYPE" misses it.
"""

import io
import re
import zipfile

import openpyxl
import openpyxl.xml
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from tests.updates.update_data import q4_2018_19
from updates import services, spreadsheet
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    OutcomeFigure,
    QuarterlyUpdate,
    RaisedRisk,
)

PROJECT_APPS = ("localities", "risks", "dashboard", "accounts")
MEDWAY_Q4 = "/updates/medway/2018-19-q4/"


def test_no_model_stores_a_file():
    """So nothing people upload is ever kept as a file (media storage is unused)."""
    file_fields = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]

    assert file_fields == []


def test_django_never_spools_an_upload_to_a_temporary_file():
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]


@pytest.fixture
def no_temporary_files(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("An upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", refuse)


@pytest.mark.parametrize("size", [1_000, 3 * 1024 * 1024], ids=["small", "over 2.5 MB"])
def test_a_file_posted_to_any_other_page_is_ignored_in_memory(
    client, lead_medway, no_temporary_files, size
):
    client.force_login(lead_medway)
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4_2018_19())

    response = client.post(
        MEDWAY_Q4 + "edit/summary/",
        {
            "version": update.version,
            "summary-summary": "Typed in the form.",
            "attachment": SimpleUploadedFile("big.bin", b"\0" * size),
        },
    )

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.summary == "Typed in the form."


# --- Crafted workbooks -------------------------------------------------------------------

SUMMARY_PART = "xl/worksheets/sheet8.xml"  # About, then the sections in order: Summary is 8th


def parts_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return output.getvalue()


@pytest.fixture
def medway_update(programme_data):
    """Medway's 2018/19 Q4 draft with every RAG override explained, so an upload is valid."""
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4_2018_19())
    suggestions = services.suggested_rags(update)
    for status in update.objective_statuses.all():
        if status.rag != suggestions[status.objective_id].rag and not status.rag_reason:
            status.rag_reason = "The figures lag behind."
            status.save()
    update.refresh_from_db()
    return update


def saved_state(update) -> dict:
    """The update's rows and every history row an upload would add."""
    state = {
        "update": list(QuarterlyUpdate.objects.filter(pk=update.pk).values()),
        "history": QuarterlyUpdate.history.filter(id=update.pk).count(),
    }
    for model in (
        ObjectiveStatus,
        MilestoneUpdate,
        MDTUpdate,
        OutcomeFigure,
        MaturityScore,
        RaisedRisk,
    ):
        state[model.__name__] = list(model.objects.filter(update=update).values().order_by("pk"))
        state[f"{model.__name__} history"] = model.history.filter(update_id=update.pk).count()
    return state


def post_spreadsheet(client, content: bytes):
    return client.post(
        MEDWAY_Q4 + "upload/",
        {
            "spreadsheet": SimpleUploadedFile(
                "update.xlsx", content, content_type=spreadsheet.CONTENT_TYPE
            )
        },
    )


# --- Formulas ---------------------------------------------------------------------------


def test_a_formula_with_no_saved_value_is_refused_not_read_as_blank(
    client, lead_medway, medway_update
):
    """A script (openpyxl here) writes a formula without the value Excel would have saved
    with it: the import never evaluates a formula, so it says so rather than blank the field."""
    client.force_login(lead_medway)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content)
    )
    workbook["Summary"]["A2"].value = '=HYPERLINK("http://evil.example","Click")&WEBSERVICE("x")'
    assert workbook["Summary"]["A2"].data_type == "f"
    content = io.BytesIO()
    workbook.save(content)
    before = saved_state(medway_update)

    response = post_spreadsheet(client, content.getvalue())

    assert response.status_code == 400
    assert [(p.sheet, p.row, p.column, p.message) for p in response.context["problems"]] == [
        ("Summary", 2, "Summary of the quarter", spreadsheet.UNCACHED_FORMULA_MESSAGE)
    ]
    assert "formula with no saved value" in response.text
    assert "evil.example" not in response.text
    assert saved_state(medway_update) == before


def test_a_formula_reads_as_the_value_excel_saved_never_as_the_formula(
    client, lead_medway, medway_update
):
    client.force_login(lead_medway)
    good = client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content
    parts = parts_of(good)
    # As Excel saves a formula cell: the formula, and the value it showed.
    parts[SUMMARY_PART] = re.sub(
        rb'<c r="A2"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>',
        rb'<c r="A2"\1 t="str"><f>HYPERLINK("http://evil.example","Click")</f>'
        rb"<v>Saved by Excel.</v></c>",
        parts[SUMMARY_PART],
    )

    response = post_spreadsheet(client, zipped(parts))

    assert response.status_code == 302, response.context and response.context["problems"]
    medway_update.refresh_from_db()
    assert medway_update.summary == "Saved by Excel."


# --- XML entities: XXE and billion laughs -----------------------------------------------

SHARED_STRINGS_PART = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XXE = ('<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
BILLION_LAUGHS = (
    '<!DOCTYPE {root} [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>",
    "&lol9;",
)
ATTACKS = {"xxe": XXE, "billion-laughs": BILLION_LAUGHS}
# (Python codec, the encoding the XML declaration names): with and without a byte-order mark.
ENCODINGS = {
    "utf-16": ("utf-16", "UTF-16"),
    "utf-16be-no-bom": ("utf-16-be", "UTF-16"),
    "utf-16le-no-bom": ("utf-16-le", "UTF-16"),
    "utf-8-bom": ("utf-8-sig", "UTF-8"),
    "utf-8": ("utf-8", "UTF-8"),
}


def crafted(good: bytes, *, part: str, text: str, doctype: str = "", encoding="utf-16") -> bytes:
    """The workbook with Summary's A2 read from `part` (its sheet, or a shared-strings part
    added for it), that part starting with `doctype` and re-encoded in `encoding`."""
    parts = parts_of(good)
    sheet = parts[SUMMARY_PART].decode()
    a2 = re.compile(r'<c r="A2"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>')
    assert a2.search(sheet), "Summary!A2 is no longer an inline string"
    if part == "sheet":
        sheet = a2.sub(lambda m: f'<c r="A2"{m[1]} t="inlineStr"><is><t>{text}</t></is></c>', sheet)
        root, target = "worksheet", SUMMARY_PART
    else:
        sheet = a2.sub(lambda m: f'<c r="A2"{m[1]} t="s"><v>0</v></c>', sheet)
        parts[SHARED_STRINGS_PART] = (
            f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
        ).encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>"
        )
        root, target = "sst", SHARED_STRINGS_PART
    parts[SUMMARY_PART] = sheet.encode()
    codec, declared = ENCODINGS[encoding]
    body = parts[target].decode()
    parts[target] = (
        f'<?xml version="1.0" encoding="{declared}"?>{doctype.format(root=root)}{body}'
    ).encode(codec)
    return zipped(parts)


def attack(good: bytes, name: str, *, part: str, encoding: str) -> bytes:
    doctype, reference = ATTACKS[name]
    return crafted(good, part=part, text=reference, doctype=doctype, encoding=encoding)


def test_openpyxl_parses_workbooks_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16be-no-bom"])
def test_a_part_re_encoded_without_a_dtd_is_read_as_usual(
    client, lead_medway, medway_update, part, encoding
):
    """The control for the attacks below: the crafted part really is what openpyxl reads."""
    client.force_login(lead_medway)
    good = client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content

    response = post_spreadsheet(
        client, crafted(good, part=part, text="Read from the part.", encoding=encoding)
    )

    assert response.status_code == 302, response.context and response.context["problems"]
    medway_update.refresh_from_db()
    assert medway_update.summary == "Read from the part."


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16be-no-bom"])
@pytest.mark.parametrize("name", ATTACKS)
def test_xml_entities_in_an_upload_are_refused_and_nothing_is_saved(
    client, lead_medway, medway_update, name, part, encoding
):
    client.force_login(lead_medway)
    good = client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content
    before = saved_state(medway_update)

    response = post_spreadsheet(client, attack(good, name, part=part, encoding=encoding))

    assert response.status_code == 400
    html = response.text
    assert "<title>Error: " in html
    assert "Nothing from the spreadsheet has been saved." in html
    assert f'<li><a href="#id_spreadsheet">{spreadsheet.XML_DECLARATIONS_REFUSED}</a></li>' in html
    assert "root:" not in html  # nothing of /etc/passwd
    assert saved_state(medway_update) == before


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", ATTACKS)
def test_the_package_check_finds_a_dtd_in_any_encoding_before_openpyxl_reads(
    medway_update, name, part, encoding
):
    content = attack(spreadsheet.build_workbook(medway_update), name, part=part, encoding=encoding)

    with pytest.raises(spreadsheet.Rejected) as refused:
        spreadsheet._check_package(content)

    assert refused.value.message == spreadsheet.XML_DECLARATIONS_REFUSED
    assert refused.value.status == 400


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16le-no-bom", "utf-8"])
@pytest.mark.parametrize("name", ATTACKS)
def test_defusedxml_refuses_entities_that_get_past_the_package_check(
    medway_update, monkeypatch, name, encoding
):
    """Defence in depth: were the package check to miss one, openpyxl's parser refuses it."""
    content = attack(
        spreadsheet.build_workbook(medway_update), name, part="sharedStrings", encoding=encoding
    )
    monkeypatch.setattr(spreadsheet, "_check_package", lambda content: None)

    with pytest.raises(spreadsheet.Rejected) as refused:
        spreadsheet.read_workbook(content, update=medway_update)

    assert refused.value.message == spreadsheet.XML_DECLARATIONS_REFUSED


def test_a_part_that_is_not_xml_is_not_taken_for_a_dtd(medway_update):
    """Images and printer settings are binary: expat cannot read them, and neither would openpyxl."""
    parts = parts_of(spreadsheet.build_workbook(medway_update))
    parts["xl/media/image1.png"] = b"\x89PNG\r\n\x1a\n<!DOCTYPE" + bytes(range(256))

    reading = spreadsheet.read_workbook(zipped(parts), update=medway_update)

    assert reading.problems == []


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0" encoding="x-no-such-encoding"?><worksheet/>',
        '<?xml version="1.0" encoding="utf-7"?><worksheet/>'.encode("utf-7"),
        "<worksheet/>".encode("utf-32"),
    ],
    ids=["unknown-encoding", "utf-7", "utf-32"],
)
def test_a_part_in_an_encoding_expat_cannot_read_is_refused_not_an_error(
    client, lead_medway, medway_update, xml
):
    client.force_login(lead_medway)
    good = client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content
    parts = parts_of(good)
    parts[SUMMARY_PART] = xml
    before = saved_state(medway_update)

    response = post_spreadsheet(client, zipped(parts))

    assert response.status_code == 400
    assert spreadsheet.NOT_A_SPREADSHEET in response.text
    assert saved_state(medway_update) == before
