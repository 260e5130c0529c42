"""``python -m trackly_validate.rules.phonemeta [WHEEL...]``: regenerate
``rules/_phone_patterns.py`` for the phonenumbers releases of the given wheels (each built
in its own interpreter), or for the installed release when none is given."""

import sys

from trackly_validate.rules.phonemeta.prebuilt import pieces_of_wheel, write_shipped

wheels = sys.argv[1:]
print(write_shipped([pieces_of_wheel(w) for w in wheels] if wheels else None))
