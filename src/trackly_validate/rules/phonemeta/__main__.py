"""``python -m trackly_validate.rules.phonemeta``: regenerate ``rules/_phone_patterns.py``."""

from trackly_validate.rules.phonemeta.prebuilt import write_shipped

print(write_shipped())
