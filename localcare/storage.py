"""Static files as production serves them: hashed names, compressed, cached for good."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's hashed and compressed storage, with ES module imports rewritten too.

    js/nhsuk-init.js imports NHS.UK frontend as an ES module. Django rewrites
    CSS url()s to hashed names by default but module imports only when asked;
    without it the imported file would keep its plain name, and with it
    whitenoise's short cache lifetime instead of a year, immutable.
    """

    support_js_module_import_aggregation = True
