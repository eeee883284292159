"""Fieldwork rules that vary by county (local practice): read from settings, with the usual defaults.

Settings are optional so that a county can change a rule without a code change:
ATTENDANCE_MIN_DAYS, GPS_POOR_ACCURACY_M, MONITORING_NOTICE_DAYS, MONITORING_MAX_DAYS,
LEAVE_TOWNSHIP_MAX_DAYS, PHOTO_MAX_SIDE_PX.
"""

from django.conf import settings


def attendance_min_days() -> int:
    return getattr(settings, "ATTENDANCE_MIN_DAYS", 20)


def gps_poor_accuracy_m() -> float:
    return getattr(settings, "GPS_POOR_ACCURACY_M", 50)


def monitoring_notice_days() -> int:
    return getattr(settings, "MONITORING_NOTICE_DAYS", 5)


def monitoring_max_days() -> int:
    return getattr(settings, "MONITORING_MAX_DAYS", 15)


def leave_township_max_days() -> int:
    return getattr(settings, "LEAVE_TOWNSHIP_MAX_DAYS", 3)


def photo_max_side_px() -> int:
    return getattr(settings, "PHOTO_MAX_SIDE_PX", 1600)
