"""Settings of the intake benchmark's server: the test settings with the bench-only urlconf,
which adds the bare DRF endpoint beside the real ones."""

from marketplace.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
