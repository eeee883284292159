"""Settings for the processes the fault tests start: the real settings plus a slow test report."""

from zhucun.settings import *  # noqa: F403
from zhucun.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.security.faults_app.FaultsConfig"]
