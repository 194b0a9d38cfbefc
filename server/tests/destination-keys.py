"""Writes destination-keys.json: budget keys of email addresses and phone numbers, computed
independently of server/src/destinations.rs (`of_address`) and the Worker's `addressKey`,
which both test against the file. Run from this folder: python3 destination-keys.py"""

import hashlib
import json
import unicodedata


def canonical(attribute, value):
    if attribute != "email":
        return value
    folded = unicodedata.normalize("NFKC", value).lower()
    if "@" not in folded:
        return folded
    local, _, domain = folded.rpartition("@")
    return local.partition("+")[0] + "@" + domain


def key(attribute, value):
    text = attribute.encode() + b"\0" + canonical(attribute, value).encode()
    return hashlib.sha256(text).hexdigest()


INPUTS = [
    ("email", "victim@example.com"),
    ("email", "Victim@Example.com"),
    ("email", "VICTIM@EXAMPLE.COM"),
    ("email", "victim+1@example.com"),
    ("email", "Victim+a@Example.com"),
    ("email", "victim+b@example.com"),
    ("email", "victim+a+b@example.com"),
    ("email", "\uff56\uff49\uff43\uff54\uff49\uff4d@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d"),
    ("email", "\uff36\uff29\uff23\uff34\uff29\uff2d\uff0btag@example.com"),
    ("email", "other@example.com"),
    ("email", "+tag@example.com"),
    ("email", "\ufb01le@example.com"),
    ("email", "file@example.com"),
    ("email", "jos\u00e9@example.fr"),
    ("email", "jose\u0301@example.fr"),
    ("email", "\u03a3\u0391\u03a3@example.gr"),
    ("email", "\u0130@example.com"),
    ("email", "\u2460@example.com"),
    ("phone_number", "+12125551212"),
    ("phone_number", "+442071838750"),
    ("phone_number", "victim@example.com"),
]

with open("destination-keys.json", "w", encoding="utf-8") as out:
    vectors = [
        {"attribute": a, "value": v, "canonical": canonical(a, v), "key": key(a, v)}
        for a, v in INPUTS
    ]
    json.dump({"unicode": unicodedata.unidata_version, "vectors": vectors}, out,
              ensure_ascii=False, indent=1)
    out.write("\n")
