"""Masking of personal data for people who may not see it in full."""

MASK = "*"


def mask_name(name: str) -> str:
    """张三丰 → 张**; keeps the family name only."""
    if not name:
        return ""
    return name[0] + MASK * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    digits = phone.strip()
    if len(digits) < 7:
        return MASK * len(digits)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """610924199001011234 → 6109**********1234 (birth date hidden)."""
    value = id_number.strip()
    if len(value) < 8:
        return MASK * len(value)
    return value[:4] + MASK * (len(value) - 8) + value[-4:]
