"""Writes destination-keys.json: budget keys of email addresses and phone numbers, computed
independently of server/src/destinations.rs (`of_address`) and the Worker's `addressKey`,
which both test against the file (the Worker its email vectors only: it keys phone numbers
as given). Needs the `idna` (UTS-46) and `phonenumbers` (libphonenumber) packages from
PyPI: pip install idna phonenumbers. Run from this folder: python3 destination-keys.py"""

import hashlib
import json
import unicodedata

import idna
import phonenumbers


def ascii_domain(domain):
    """UTS-46 ToASCII, non-transitional; None where it fails. The `idna` package is IDNA
    2008 and stricter than UTS-46 as browsers and the `idna` crate apply it (symbols,
    for one, fail here): every vector's domain either converts here or holds a forbidden
    code point, which fails in all three."""
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        return None


def canonical_phone(value):
    """The country code, then the number without the national (trunk) prefix written after
    it, as often as it is, from libphonenumber's metadata (Python's copy): the longest prefix
    any region of the code dials."""
    digits = value[1:]
    if not value.startswith("+") or not digits.isascii() or not digits.isdigit():
        return value
    for length in range(1, min(3, len(digits)) + 1):
        code, rest = digits[:length], digits[length:]
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code))
        if not regions:
            continue
        prefixes = []
        for region in regions:
            if region == "001":
                meta = phonenumbers.PhoneMetadata.metadata_for_nongeo_region(int(code))
            else:
                meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
            if meta is not None and meta.national_prefix:
                prefixes.append(meta.national_prefix)
        national = rest
        while True:
            shorter = [national[len(p):] for p in prefixes
                       if national.startswith(p) and len(national) > len(p)]
            if not shorter:
                break
            national = min(shorter, key=len)
        return f"+{code}{national}" if national != rest else value
    return value


def canonical(attribute, value):
    if attribute == "phone_number":
        return canonical_phone(value)
    if attribute != "email":
        return value
    folded = unicodedata.normalize("NFKC", value).lower()
    folded = folded.replace("\u200c", "").replace("\u200d", "")
    if "@" not in folded:
        return folded
    local, _, domain = folded.rpartition("@")
    local = local.partition("+")[0]
    if not domain.isascii():
        domain = ascii_domain(domain) or domain
    domain = domain.removesuffix(".")
    if domain in ("gmail.com", "googlemail.com"):
        return local.replace(".", "") + "@gmail.com"
    return local + "@" + domain


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
    # Gmail: dots in the local part and googlemail.com reach one mailbox.
    ("email", "victim@gmail.com"),
    ("email", "v.ictim@gmail.com"),
    ("email", "vi.c.tim@gmail.com"),
    ("email", "V.Ictim+x@GMail.com"),
    ("email", "victim@googlemail.com"),
    ("email", "v.i.c.t.i.m@googlemail.com"),
    ("email", "v.ictim@example.com"),
    # UTS-46 dot look-alikes (U+3002, U+FF0E, U+FF61) and a trailing dot.
    ("email", "victim@gmail\u3002com"),
    ("email", "victim@gmail.com\u3002"),
    ("email", "victim@gmail\uff61com\u3002"),
    ("email", "victim@gmail\uff0ecom"),
    ("email", "v.ictim@googlemail\u3002com\uff61"),
    ("email", "victim@example\u3002com"),
    # A-labels: a punycode domain and its Unicode form are one.
    ("email", "user@b\u00fccher.de"),
    ("email", "user@xn--bcher-kva.de"),
    ("email", "user@XN--BCHER-KVA.DE"),
    ("email", "user@B\u00dcCHER.de"),
    ("email", "user@bu\u0308cher.de"),
    ("email", "user@b\u00fccher\u3002de"),
    ("email", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a"),
    ("email", "\u0394\u03bf\u03ba\u03b9\u03bc\u03ae@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae"),
    ("email", "jos\u00e9@b\u00fccher.de"),
    # ToASCII fails (a forbidden code point): the domain stays as folded.
    ("email", "user@b\u00fccher/x.de"),
    ("email", "user@b\u00fccher%41.de"),
    # Joiners (after a non-ASCII character, as SignUp accepts them) are not in the key.
    ("email", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645@example.com"),
    ("email", "\u0645\u06cc\u062e\u0648\u0627\u0647\u0645@example.com"),
    ("email", "\u0d15\u0d4d\u200d\u0d15@example.com"),
    ("email", "\u0d15\u0d4d\u0d15@example.com"),
    ("phone_number", "+12125551212"),
    ("phone_number", "+442071838750"),
    ("phone_number", "victim@example.com"),
    # A national trunk prefix after the country code: an SMS gateway drops it.
    ("phone_number", "+447911123456"),
    ("phone_number", "+4407911123456"),
    ("phone_number", "+33612345678"),
    ("phone_number", "+330612345678"),
    ("phone_number", "+4915112345678"),
    ("phone_number", "+49015112345678"),
    ("phone_number", "+61412345678"),
    ("phone_number", "+610412345678"),
    ("phone_number", "+79123456789"),
    ("phone_number", "+789123456789"),
    ("phone_number", "+36201234567"),
    ("phone_number", "+3606201234567"),
    ("phone_number", "+5491123456789"),
    ("phone_number", "+54091123456789"),
    # Italy's numbers keep their 0; an unknown country code is kept as is.
    ("phone_number", "+390612345678"),
    # NANP's trunk 1 after the country code 1.
    ("phone_number", "+112125551212"),
    ("phone_number", "+1112125551212"),
    ("phone_number", "+44007911123456"),
    ("phone_number", "+999999999999999"),
]

with open("destination-keys.json", "w", encoding="utf-8") as out:
    vectors = [
        {"attribute": a, "value": v, "canonical": canonical(a, v), "key": key(a, v)}
        for a, v in INPUTS
    ]
    json.dump({"unicode": unicodedata.unidata_version, "idna": idna.__version__,
               "phonenumbers": phonenumbers.__version__, "vectors": vectors}, out,
              ensure_ascii=False, indent=1)
    out.write("\n")
