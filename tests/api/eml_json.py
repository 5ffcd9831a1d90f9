#!/usr/bin/env python3
"""Print the mail messages of a folder (smtp_server.py's *.eml) as JSON, decoded by Python's
email package: envelope, headers (encoded words decoded), the text and HTML parts, and each
attachment's name, type and SHA-256.

    python3 tests/api/eml_json.py DIR
"""

import email
import email.policy
import hashlib
import json
import os
import sys


def one(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = {
        "file": os.path.basename(path),
        "envelope_from": str(msg["X-Envelope-From"] or ""),
        "envelope_to": str(msg["X-Envelope-To"] or ""),
        "message_id": str(msg["Message-ID"] or ""),
        "subject": str(msg["Subject"] or ""),
        "from": str(msg["From"] or ""),
        "to": str(msg["To"] or ""),
        "date": str(msg["Date"] or ""),
        "defects": [type(d).__name__ for d in msg.defects],
        "text": None,
        "html": None,
        "attachments": [],
    }
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True) or b""
            out["attachments"].append({
                "name": part.get_filename(),
                "type": part.get_content_type(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            })
        elif part.get_content_type() == "text/plain" and out["text"] is None:
            out["text"] = part.get_content()
        elif part.get_content_type() == "text/html" and out["html"] is None:
            out["html"] = part.get_content()
    return out


def main():
    folder = sys.argv[1]
    names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    print(json.dumps([one(os.path.join(folder, n)) for n in names], ensure_ascii=False))


if __name__ == "__main__":
    main()
