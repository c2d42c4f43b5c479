from django.urls import path

from updates.views import comments, landing, lead, office, outcome_extract, spreadsheet, years

app_name = "updates"

# <quarter> is a quarter slug such as "2018-19-q4" (Quarter.slug).
UPDATE = "updates/<slug:locality>/<slug:quarter>/"

urlpatterns = [
    # LOGIN_REDIRECT_URL: sends each role on to its own page.
    path("start/", landing.start, name="start"),
    path("updates/", lead.my_localities, name="mine"),
    # The programme office's outcome data: the monthly extract (decision 0019), change points.
    # Before UPDATE, which would take "office" for a locality and "outcomes" for a quarter.
    path("updates/office/outcomes/", outcome_extract.extracts, name="outcome-extracts"),
    path(
        "updates/office/outcomes/template.<str:export_format>",
        outcome_extract.extract_template,
        name="outcome-extract-template",
    ),
    path(
        "updates/office/outcomes/change-points/",
        outcome_extract.change_points,
        name="change-points",
    ),
    path(
        "updates/office/outcomes/change-points/add/",
        outcome_extract.change_point_add,
        name="change-point-add",
    ),
    path(
        "updates/office/outcomes/change-points/<int:change_point>/",
        outcome_extract.change_point_edit,
        name="change-point-edit",
    ),
    path(
        "updates/office/outcomes/change-points/<int:change_point>/withdraw/",
        outcome_extract.change_point_withdraw,
        name="change-point-withdraw",
    ),
    # The programme office opens the next financial year (decision 0024).
    path("updates/office/years/open/", years.open_year, name="open-year"),
    path(UPDATE, lead.update_detail, name="detail"),
    path(UPDATE + "edit/<slug:section>/", lead.edit_section, name="edit-section"),
    path(UPDATE + "confirm/", lead.confirm_unchanged, name="confirm"),
    path(
        UPDATE + "edit/<slug:section>/discard-typed/",
        lead.discard_typed,
        name="discard-typed",
    ),
    path(UPDATE + "submit/", lead.submit, name="submit"),
    path(UPDATE + "spreadsheet.xlsx", spreadsheet.download, name="download"),
    path(UPDATE + "upload/", spreadsheet.upload, name="upload"),
    path("returns/", office.returns, name="returns"),
    path(UPDATE + "review/", office.review, name="review"),
    path(UPDATE + "approve/", office.approve, name="approve"),
    path(UPDATE + "return/", office.return_to_lead, name="return"),
    path(UPDATE + "reopen/", office.reopen, name="reopen"),
    path(UPDATE + "comments/", comments.add, name="comment"),
    path(UPDATE + "comments/<int:comment>/reply/", comments.reply, name="reply"),
]
