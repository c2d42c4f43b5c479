"""Production-like settings whose collectstatic writes to a temporary folder (test_static_files)."""

import os

from localcare.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOCALCARE_TEST_STATIC_ROOT"]
