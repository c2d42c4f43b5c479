"""The quarterly update as an XLSX workbook: what the download holds, and how an upload is read."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from localities.models import MDT, Milestone
from risks.models import RiskCategory
from updates import services, spreadsheet
from updates.forms import SectionContext, build_section
from updates.models import ObjectiveStatus
from updates.views.common import find_update

Q4 = "2018-19-q4"
PAYLOAD = "<script>alert(1)</script>"


def make_valid(update):
    """The illustrative Medway draft as the lead would leave it: every RAG override explained."""
    suggestions = services.suggested_rags(update)
    for status in update.objective_statuses.all():
        if status.rag != suggestions[status.objective_id].rag and not status.rag_reason:
            status.rag_reason = "The figures lag behind what is happening."
            status.save()


@pytest.fixture
def medway(programme_data):
    target = find_update("medway", Q4)
    make_valid(target.update)
    return find_update("medway", Q4).update


def workbook_of(update):
    return openpyxl.load_workbook(io.BytesIO(spreadsheet.build_workbook(update)))


def to_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def column(worksheet, header) -> int:
    headers = [cell.value for cell in worksheet[1]]
    return headers.index(header) + 1


def row_of(worksheet, key) -> int:
    for cell in worksheet["A"][1:]:
        if cell.value == key:
            return cell.row
    raise AssertionError(f"No row for {key!r} on {worksheet.title}")


def cell(worksheet, key, header):
    return worksheet.cell(row=row_of(worksheet, key), column=column(worksheet, header))


def read(workbook, update):
    return spreadsheet.read_workbook(to_bytes(workbook), update=update)


def where(reading):
    return [(p.sheet, p.row, p.column) for p in reading.problems]


# --- The download ---------------------------------------------------------------------


def test_one_sheet_per_section_with_about_first_and_lists_last(medway):
    workbook = workbook_of(medway)

    assert workbook.sheetnames == [
        "About",
        "Objectives",
        "Milestones",
        "MDTs",
        "Money",
        "Maturity",
        "New risks",
        "Summary",
        "Lists",
    ]


def test_about_sheet_names_the_locality_quarter_and_version(medway):
    about = {
        row[0]: row[1] for row in workbook_of(medway)["About"].iter_rows(values_only=True) if row[0]
    }

    assert about["Locality"] == "Medway"
    assert about["Locality ID"] == "medway"
    assert about["Quarter"] == "2018/19 Q4"
    assert about["Quarter ID"] == Q4
    assert about["Version"] == medway.version
    assert about["Status when downloaded"] == "Draft"
    assert "How to fill this in" in about
    assert any(
        "Nothing is saved unless the whole spreadsheet is correct" in str(key) for key in about
    )


def test_headers_are_bold_frozen_and_columns_sized(medway):
    workbook = workbook_of(medway)

    for title in ("Objectives", "Milestones", "MDTs", "Money", "Maturity"):
        sheet = workbook[title]
        assert sheet.freeze_panes == "A2", title
        assert all(cell.font.bold for cell in sheet[1] if cell.value), title
    objectives = workbook["Objectives"]
    assert objectives.column_dimensions["E"].width == 60  # Progress this quarter
    assert objectives.column_dimensions["A"].width < 20


def test_lists_sheet_feeds_the_drop_downs(medway):
    workbook = workbook_of(medway)
    lists = {
        cells[0].value: [c.value for c in cells[1:] if c.value is not None]
        for cells in workbook["Lists"].iter_cols(max_col=5)
    }

    assert lists["RAG status"] == ["Red", "Amber", "Green", "Complete", "Not started"]
    assert lists["Milestone status"] == ["Not started", "In progress", "Complete", "Cancelled"]
    assert lists["MDT status"] == ["Planned", "Shadow running", "Live"]
    assert lists["Risk category"] == list(RiskCategory.objects.values_list("name", flat=True))
    assert lists["Maturity score"] == [1, 2, 3, 4, 5]
    assert workbook["Lists"].protection.sheet
    validations = {
        (title, str(v.sqref)): v.formula1
        for title in ("Objectives", "Milestones", "MDTs", "Maturity", "New risks")
        for v in workbook[title].data_validations.dataValidation
        if v.type == "list"
    }
    assert validations[("Objectives", "D2:D5")] == "'Lists'!$A$2:$A$6"
    assert validations[("MDTs", f"D2:D{MDT.objects.filter(locality__slug='medway').count() + 1}")]
    assert validations[("Maturity", "C2:C9")] == "'Lists'!$E$2:$E$6"
    risks = next(formula for (title, cells), formula in validations.items() if title == "New risks")
    assert risks == "'Lists'!$D$2:$D$5"


def test_each_sheet_shows_exactly_what_its_form_shows(medway):
    workbook = workbook_of(medway)
    context = SectionContext(locality=medway.locality, quarter=medway.quarter, update=medway)

    def section(slug):
        return build_section(slug, update=medway, context=context)

    for form in section("objectives").forms:
        number = form.subject.number
        sheet = workbook["Objectives"]
        assert (
            cell(sheet, number, "RAG status").value
            == form.fields["rag"].choices[
                [c[0] for c in form.fields["rag"].choices].index(form["rag"].value())
            ][1]
        )
        assert cell(sheet, number, "Progress this quarter").value == form["narrative"].value()
        assert cell(sheet, number, "Percent complete (optional)").value == (
            form["percent_complete"].value()
        )
    milestones = section("milestones").forms
    assert milestones, "the fixtures give Medway milestones"
    for form in milestones:
        sheet = workbook["Milestones"]
        key = form.subject.pk
        assert cell(sheet, key, "Status").value == Milestone.Status(form["status"].value()).label
        for header, name in (("Forecast date", "forecast_date"), ("Actual date", "actual_date")):
            shown = cell(sheet, key, header).value
            expected = form[name].initial
            assert (shown.date() if shown else None) == expected
            # …which the page shows as 15/3/2019.
            if expected:
                assert form[name].value() == f"{expected.day}/{expected.month}/{expected.year}"
    for form in section("mdts").forms:
        sheet = workbook["MDTs"]
        key = form.subject.pk
        assert cell(sheet, key, "Status").value == MDT.Status(form["status"].value()).label
        assert cell(sheet, key, "Population covered").value == form["population_covered"].value()
    money = workbook["Money"]
    assert Decimal(str(money["A2"].value)) == medway.spend_planned
    assert Decimal(str(money["B2"].value)) == medway.spend_actual
    for form in section("maturity").forms:
        shown = cell(workbook["Maturity"], form.subject.number, "Score (1 to 5)").value
        assert shown == form["score"].value()
    assert workbook["Summary"]["A2"].value == medway.summary


def test_a_not_started_update_shows_the_current_values(programme_data):
    target = find_update("medway", "2019-20-q1")
    assert not target.is_started
    workbook = workbook_of(target.update)

    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True) if row[0]}
    assert about["Version"] == 0
    assert about["Status when downloaded"] == "Not started"
    for mdt in MDT.objects.filter(locality__slug="medway"):
        assert cell(workbook["MDTs"], mdt.pk, "Status").value == mdt.get_status_display()
        go_live = cell(workbook["MDTs"], mdt.pk, "Go-live date").value
        assert (go_live.date() if go_live else None) == mdt.actual_go_live
    maturity = build_section("maturity", update=target.update)
    assert [row[2] for row in workbook["Maturity"].iter_rows(min_row=2, values_only=True)] == [
        form["score"].initial for form in maturity.forms
    ]
    assert [row[3] for row in workbook["Objectives"].iter_rows(min_row=2, values_only=True)] == [
        None
    ] * 4


def test_dates_are_real_excel_dates(medway):
    sheet = workbook_of(medway)["Milestones"]
    dates = [
        c
        for c in sheet[get_letter(sheet, "Actual date")][1:]
        + sheet[get_letter(sheet, "Forecast date")][1:]
        if c.value is not None
    ]

    assert dates
    for date_cell in dates:
        assert date_cell.is_date
        assert date_cell.data_type == "d"
        assert date_cell.number_format == "DD/MM/YYYY"


def get_letter(sheet, header):
    return openpyxl.utils.get_column_letter(column(sheet, header))


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","Click")', "+44 1234", "-1 MDT behind", "@SUM(A1:A9)"],
)
def test_text_that_looks_like_a_formula_is_written_as_text(medway, text):
    status = medway.objective_statuses.get(objective__number=1)
    status.narrative = text
    status.save()
    content = spreadsheet.build_workbook(medway)

    narrative = cell(
        openpyxl.load_workbook(io.BytesIO(content))["Objectives"], 1, "Progress this quarter"
    )
    assert narrative.data_type == "s"
    assert narrative.value == text
    assert narrative.quotePrefix
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        objectives_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in objectives_xml
    # …and it comes back exactly as typed.
    reading = spreadsheet.read_workbook(content, update=medway)
    assert reading.cleaned()["objectives"][0]["narrative"] == text


def test_characters_a_spreadsheet_cannot_hold_are_left_out_not_fatal(medway):
    medway.summary = "Line one\x0bline two\x1f"  # PostgreSQL text cannot hold NUL at all
    medway.save()

    assert workbook_of(medway)["Summary"]["A2"].value == "Line oneline two"


def test_download_query_count_does_not_grow_with_rows(medway):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        spreadsheet.build_workbook(medway)
    for n in range(20):
        Milestone.objects.create(
            title=f"Extra {n}", locality=medway.locality, planned_end=datetime.date(2019, 3, 1)
        )
        MDT.objects.create(name=f"Extra {n}", locality=medway.locality)
    with CaptureQueriesContext(connection) as after:
        spreadsheet.build_workbook(medway)

    assert len(after) == len(before)


# --- Reading an upload ------------------------------------------------------------------


def test_an_unchanged_download_reads_back_without_problems(medway):
    reading = read(workbook_of(medway), medway)

    assert reading.problems == []
    assert reading.version == medway.version
    cleaned = reading.cleaned()
    # Every section a lead fills in; not the outcomes, the monthly extract's (decision 0019).
    assert set(cleaned) == {slug for slug, _ in services.SECTIONS} - {"outcomes"}
    saved = {s.objective_id: s for s in medway.objective_statuses.all()}
    for row in cleaned["objectives"]:
        status = saved[row["objective"].pk]
        assert (row["rag"], row["narrative"], row["percent_complete"]) == (
            status.rag,
            status.narrative,
            status.percent_complete,
        )
    assert cleaned["money"] == {
        "spend_planned": medway.spend_planned,
        "spend_actual": medway.spend_actual,
    }
    assert cleaned["summary"] == {"summary": medway.summary}
    assert cleaned["risks"] == []


def test_rows_are_matched_by_key_whatever_their_order_or_reference_columns(medway):
    workbook = workbook_of(medway)
    sheet = workbook["MDTs"]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    rows.reverse()
    for offset, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            sheet.cell(row=offset, column=index).value = value
        sheet.cell(row=offset, column=column(sheet, "MDT")).value = "Renamed in the sheet"
    mdt = MDT.objects.filter(locality__slug="medway", status=MDT.Status.PLANNED).first()
    cell(sheet, mdt.pk, "Population covered").value = 41234

    reading = read(workbook, medway)

    assert reading.problems == []
    by_mdt = {row["mdt"]: row for row in reading.cleaned()["mdts"]}
    assert by_mdt[mdt]["population_covered"] == 41234
    assert {m.name for m in by_mdt} != {"Renamed in the sheet"}


def test_a_key_that_is_not_this_localitys_row_is_a_problem(medway):
    elsewhere = MDT.objects.exclude(locality__slug="medway").first()
    workbook = workbook_of(medway)
    sheet = workbook["MDTs"]
    sheet["A2"].value = elsewhere.pk

    reading = read(workbook, medway)

    assert ("MDTs", 2, "MDT ID") in where(reading)
    message = next(p.message for p in reading.problems if p.row == 2)
    assert f"“{elsewhere.pk}” is not one of Medway's MDTs" in message
    # The MDT the row was for is now missing: said too.
    assert any(p.sheet == "MDTs" and p.row is None for p in reading.problems)


def test_a_key_given_twice_or_left_empty_is_a_problem(medway):
    workbook = workbook_of(medway)
    sheet = workbook["Maturity"]
    sheet["A3"].value = sheet["A2"].value
    sheet["A4"].value = None

    reading = read(workbook, medway)

    problems = {(p.row, p.column): p.message for p in reading.problems}
    assert problems[(3, "Element")] == (
        "This care-model element is already on row 2: keep one row for it."
    )
    assert problems[(4, "Element")].startswith("The Element is empty")


def test_a_missing_row_is_a_problem_not_a_deletion(medway):
    workbook = workbook_of(medway)
    workbook["Objectives"].delete_rows(3)

    reading = read(workbook, medway)

    assert where(reading) == [("Objectives", None, "Objective")]
    assert reading.problems[0].message.startswith("Objective 2 (“2. ")


def test_a_choice_not_in_the_list_is_reported_with_the_text_typed(medway):
    workbook = workbook_of(medway)
    cell(workbook["Objectives"], 1, "RAG status").value = PAYLOAD
    workbook["New risks"]["A2"].value = "Estates slipping"
    workbook["New risks"]["C2"].value = "1"  # a category's id, not its name

    reading = read(workbook, medway)

    problems = {(p.sheet, p.row, p.column): p.message for p in reading.problems}
    assert problems[("Objectives", 2, "RAG status")] == (
        f"“{PAYLOAD}” is not in the list: choose one of Red, Amber, Green, Complete, Not started."
    )
    assert problems[("New risks", 2, "Category")].startswith("“1” is not in the list")
    assert len(reading.problems) == 2


def test_choices_match_their_label_in_any_case(medway):
    workbook = workbook_of(medway)
    cell(workbook["Objectives"], 1, "RAG status").value = "  not STARTED "
    cell(workbook["Objectives"], 1, "Why a different RAG from the suggested one?").value = "Paused"
    workbook["New risks"]["A2"].value = "Estates slipping"
    workbook["New risks"]["C2"].value = "financial"

    reading = read(workbook, medway)

    assert reading.problems == []
    assert reading.cleaned()["objectives"][0]["rag"] == "not_started"
    assert reading.cleaned()["risks"][0]["category"] == RiskCategory.objects.get(name="Financial")


def test_form_errors_are_placed_at_their_sheet_row_and_column(medway):
    workbook = workbook_of(medway)
    cell(workbook["Objectives"], 2, "Percent complete (optional)").value = 150
    milestone = Milestone.objects.filter(locality__slug="medway").first()
    cell(workbook["Milestones"], milestone.pk, "Status").value = "In progress"
    cell(workbook["Milestones"], milestone.pk, "Actual date").value = None
    cell(workbook["Milestones"], milestone.pk, "Forecast date").value = "31/02/2019"
    workbook["Money"]["B2"].value = -5
    workbook["New risks"]["B3"].value = "A description without a title"
    row = row_of(workbook["Milestones"], milestone.pk)

    reading = read(workbook, medway)

    assert {(p.sheet, p.row, p.column, p.message) for p in reading.problems} == {
        (
            "Objectives",
            3,
            "Percent complete (optional)",
            "Percent complete must be between 0 and 100.",
        ),
        (
            "Milestones",
            row,
            "Forecast date",
            "Enter the forecast date as a real date, like 15/3/2019.",
        ),
        ("Money", 2, "Actual spend this quarter (£)", "The actual spend cannot be negative."),
        (
            "New risks",
            3,
            "Risk or issue",
            "Give the risk or issue a short title, or clear this row.",
        ),
    }


def test_a_formula_without_a_saved_value_is_a_problem_at_its_cell(medway):
    """openpyxl (like any script) writes a formula without the value Excel saves with it;
    the import never evaluates one, so it must not read as an empty cell."""
    workbook = workbook_of(medway)
    objectives = workbook["Objectives"]
    cell(objectives, 1, "RAG status").value = '=IF(TRUE,"Green","Red")'
    cell(objectives, 2, "Progress this quarter").value = '="Copied "&"down"'
    cell(objectives, 3, "Percent complete (optional)").value = "=40+2"
    maturity = workbook["Maturity"]
    maturity["A3"].value = "=A2"  # the key: which row this is cannot be known
    workbook["New risks"]["A2"].value = "=UPPER(B2)"
    workbook["New risks"]["C2"].value = "Workforce"
    workbook["Summary"]["A2"].value = "=Objectives!E2"

    reading = read(workbook, medway)

    formula_problems = [
        (p.sheet, p.row, p.column)
        for p in reading.problems
        if p.message == spreadsheet.UNCACHED_FORMULA_MESSAGE
    ]
    assert formula_problems == [
        ("Objectives", 2, "RAG status"),
        ("Objectives", 3, "Progress this quarter"),
        ("Objectives", 4, "Percent complete (optional)"),
        ("Maturity", 3, "Element"),
        ("New risks", 2, "Risk or issue"),
        ("Summary", 2, "Summary of the quarter"),
    ]
    # Said once, at the cell: not also as a choice not in the list, or a missing value.
    assert {(p.sheet, p.row, p.column) for p in reading.problems} - set(formula_problems) == {
        ("Maturity", None, "Element")  # the row whose key was a formula is missing
    }


def test_the_value_a_formula_showed_is_read_when_excel_saved_it(medway):
    """Excel saves a formula with the value it showed: that value is read, never the formula."""
    content = spreadsheet.build_workbook(medway)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    objectives = "xl/worksheets/sheet2.xml"  # F: Percent complete
    parts[objectives], found = re.subn(
        rb'<c r="F2"[^>]*/>|<c r="F2"[^>]*>.*?</c>',
        rb'<c r="F2"><f>SUM(40,2)</f><v>42</v></c>',
        parts[objectives],
    )
    assert found == 1

    reading = spreadsheet.read_workbook(zip_of(parts), update=medway)

    assert reading.problems == []
    assert reading.cleaned()["objectives"][0]["percent_complete"] == 42


def test_risk_rows_become_the_updates_raised_risks(medway):
    workbook = workbook_of(medway)
    sheet = workbook["New risks"]
    sheet.append(["GP recruitment", "Two practices without partners", "Workforce"])
    sheet["A2"].value = PAYLOAD
    sheet["C2"].value = "Culture"

    reading = read(workbook, medway)

    assert reading.problems == []
    assert [(r["title"], r["category"].name) for r in reading.cleaned()["risks"]] == [
        (PAYLOAD, "Culture"),
        ("GP recruitment", "Workforce"),
    ]


def test_missing_columns_and_sheets_are_problems(medway):
    workbook = workbook_of(medway)
    workbook["Milestones"].delete_cols(column(workbook["Milestones"], "Forecast date"))
    del workbook["Summary"]

    reading = read(workbook, medway)

    assert where(reading) == [("Milestones", 1, "Forecast date"), ("Summary", None, "")]
    assert "Summary" not in reading.sections


def test_columns_are_found_by_their_heading(medway):
    workbook = workbook_of(medway)
    workbook["Objectives"].delete_cols(column(workbook["Objectives"], "Title"))
    workbook["Objectives"].delete_cols(column(workbook["Objectives"], "Suggested RAG"))

    assert read(workbook, medway).problems == []


def test_only_row_2_of_money_and_summary_is_read(medway):
    workbook = workbook_of(medway)
    workbook["Money"]["A5"].value = 100

    assert where(read(workbook, medway)) == [("Money", 5, "")]


def test_a_sheet_with_too_many_rows_is_a_problem(medway, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 30)
    workbook = workbook_of(medway)
    for n in range(40):
        workbook["New risks"].append([f"Risk {n}", "", "Culture"])

    assert where(read(workbook, medway)) == [("New risks", 32, "")]


def test_line_endings_typed_in_the_browser_survive_a_round_trip(medway):
    status = ObjectiveStatus.objects.get(update=medway, objective__number=1)
    status.narrative = "First line\r\nsecond line"
    status.save()

    reading = read(workbook_of(medway), medway)

    assert reading.cleaned()["objectives"][0]["narrative"] == "First line\r\nsecond line"


# --- Files that cannot be used at all -----------------------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def rewritten(content: bytes, change) -> bytes:
    """The XLSX with each part passed through change(name, data)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return zip_of({name: change(name, data) for name, data in parts.items()})


def macro_enabled(name, data):
    if name == "[Content_Types].xml":
        return data.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    return data


def with_entities(name, data):
    if name == "xl/workbook.xml":
        return b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + data
    return data


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not an Excel"),
        (lambda good: b"Objective,RAG status\n1,Green\n", "not an Excel"),
        (lambda good: b"Just some text, renamed .xlsx", "not an Excel"),
        (lambda good: b"", "The file you chose is empty"),
        (lambda good: zip_of({"notes.txt": b"hello"}), "not an Excel"),
        (lambda good: good[: len(good) // 2], "not an Excel"),
        (lambda good: rewritten(good, macro_enabled), "macro-enabled workbook (.xlsm)"),
        (lambda good: rewritten(good, with_entities), "XML declarations (a DOCTYPE"),
        (
            lambda good: zip_of({"[Content_Types].xml": b"x", "big.xml": b"\0" * 45_000_000}),
            "far more data than a quarterly update",
        ),
    ],
    ids=[
        "pdf",
        "csv",
        "text",
        "empty",
        "zip-not-xlsx",
        "truncated",
        "xlsm",
        "xml-entities",
        "zip-bomb",
    ],
)
def test_files_that_are_not_an_xlsx_workbook_are_refused(medway, make, message):
    content = make(spreadsheet.build_workbook(medway))

    with pytest.raises(spreadsheet.Rejected) as refused:
        spreadsheet.read_workbook(content, update=medway)

    assert message in refused.value.message
    assert refused.value.status == 400


def test_a_workbook_that_is_not_our_template_is_refused(medway):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Some other spreadsheet"

    with pytest.raises(spreadsheet.Rejected) as refused:
        read(workbook, medway)

    assert refused.value.message == spreadsheet.NOT_OUR_SPREADSHEET


def test_a_spreadsheet_for_another_locality_is_refused(programme_data):
    swale = find_update("swale", Q4).update
    medway = find_update("medway", Q4).update

    with pytest.raises(spreadsheet.Rejected) as refused:
        read(workbook_of(swale), medway)

    assert refused.value.message.startswith("This spreadsheet is for Swale, not Medway.")


def test_a_spreadsheet_for_another_quarter_is_refused(medway):
    next_quarter = find_update("medway", "2019-20-q1").update

    with pytest.raises(spreadsheet.Rejected) as refused:
        read(workbook_of(medway), next_quarter)

    assert refused.value.message.startswith("This spreadsheet is for 2018/19 Q4, not 2019/20 Q1.")


def test_an_about_sheet_without_a_version_is_refused(medway):
    workbook = workbook_of(medway)
    about = workbook["About"]
    for row in about.iter_rows():
        if row[0].value == "Version":
            row[1].value = "latest"

    with pytest.raises(spreadsheet.Rejected) as refused:
        read(workbook, medway)

    assert refused.value.message == spreadsheet.NOT_OUR_SPREADSHEET


def test_a_locked_update_is_refused_before_the_file_is_read(programme_data):
    thanet = find_update("thanet", Q4).update
    assert thanet.status == thanet.Status.SUBMITTED

    with pytest.raises(spreadsheet.Rejected) as refused:
        spreadsheet.read_workbook(b"anything", update=thanet)

    assert "submitted, so it is locked" in refused.value.message


def test_an_oversized_file_is_refused_before_it_is_read(medway, settings):
    settings.UPDATE_UPLOAD_MAX_BYTES = 1000

    with pytest.raises(spreadsheet.Rejected) as refused:
        spreadsheet.read_workbook(b"x" * 1001, update=medway)

    assert refused.value.status == 413
    assert "larger than 0 kB" not in refused.value.message
    assert refused.value.message.startswith("The file is larger than")
