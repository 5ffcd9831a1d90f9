#!/usr/bin/env python3
"""A real SMTP server for the API tests, on Debian's python3-aiosmtpd.

    python3 tests/api/smtp_server.py --dir DIR [--port N] [--host 127.0.0.1]
        [--stall-rcpt SECONDS] [--reject-rcpt ADDRESS]... [--auth USER:PASS]
        [--max-size BYTES] [--tls starttls|implicit --cert PEM --key PEM]

Prints one line, "listening on <port>", once it accepts connections (--port 0, the default,
lets the kernel pick the port). Every message it accepts becomes DIR/<n>.eml, n growing with
each message, written to a hidden temporary file first and renamed, so a reader that lists
*.eml never sees half a message. The envelope comes first as X-Envelope-From and
X-Envelope-To headers, then the message exactly as received.

--stall-rcpt waits that long before answering each RCPT TO (a client killed meanwhile leaves
nothing behind); --reject-rcpt answers 550 for that address; --auth requires AUTH PLAIN or
LOGIN with those credentials, over plain text since this is loopback only; --max-size answers
552 to a larger message. --tls starttls offers STARTTLS and requires it before MAIL;
--tls implicit speaks TLS from the first byte (smtps); both with the certificate and key
given. Stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import hmac
import logging
import os
import signal
import ssl
import sys
import time
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    # Debian's package belongs to the system interpreter; a python3 found earlier on PATH
    # (pyenv, a virtualenv) does not see it.
    if os.path.exists("/usr/bin/python3") and not os.environ.get("SMTP_SERVER_REEXEC"):
        os.environ["SMTP_SERVER_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("smtp_server.py: aiosmtpd is missing (apt-get install python3-aiosmtpd)")

log = logging.getLogger("smtp_server")


class Handler:
    def __init__(self, args):
        self.dir = args.dir
        self.stall = args.stall_rcpt
        self.reject = {a.lower() for a in args.reject_rcpt}
        self.last = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall:
            await asyncio.sleep(self.stall)
        if address.lower() in self.reject:
            return f"550 5.1.1 <{address}>: recipient rejected"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        # time_ns keeps the names in the order the messages came; +1 keeps them apart.
        self.last = max(time.time_ns(), self.last + 1)
        name = f"{self.last}.eml"
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        tmp = os.path.join(self.dir, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(head + envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.dir, name))
        log.info("accepted %s from %s to %s", name, envelope.mail_from, envelope.rcpt_tos)
        return f"250 2.0.0 OK: queued as {self.last}"


def authenticator(user, password):
    want = LoginPassword(user.encode(), password.encode())

    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and hmac.compare_digest(auth_data.login, want.login)
            and hmac.compare_digest(auth_data.password, want.password)
        )
        return AuthResult(success=ok, handled=False)

    return check


def parse_args():
    p = argparse.ArgumentParser(description="SMTP server for the API tests")
    p.add_argument("--dir", required=True, help="where accepted messages go")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    p.add_argument("--stall-rcpt", type=float, default=0, metavar="SECONDS")
    p.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDRESS")
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--max-size", type=int, default=0, metavar="BYTES", help="0: no limit")
    p.add_argument("--tls", choices=["starttls", "implicit"])
    p.add_argument("--cert", metavar="PEM")
    p.add_argument("--key", metavar="PEM")
    args = p.parse_args()
    if args.tls and not (args.cert and args.key):
        p.error("--tls wants --cert and --key")
    if args.auth is not None and ":" not in args.auth:
        p.error("--auth wants USER:PASS")
    return args


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Handler(args)
    check = authenticator(*args.auth.split(":", 1)) if args.auth else None
    ctx = None
    if args.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    starttls = ctx if args.tls == "starttls" else None

    def factory():
        return SMTP(
            handler,
            # A fixed name: the default asks the resolver for this host's FQDN.
            hostname="smtp.test",
            ident="sextant test SMTP",
            data_size_limit=args.max_size or None,
            auth_required=check is not None,
            # Plain-text AUTH on loopback, offered only with --auth.
            auth_require_tls=check is None,
            authenticator=check,
            tls_context=starttls,
            require_starttls=starttls is not None,
        )

    try:
        server = await loop.create_server(
            factory,
            host=args.host,
            port=args.port,
            ssl=ctx if args.tls == "implicit" else None,
        )
    except OSError as e:
        sys.exit(f"smtp_server.py: cannot listen on {args.host}:{args.port}: {e.strerror}")
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="smtp_server: %(levelname)s %(message)s"
    )
    # aiosmtpd warns on every connection that AUTH without TLS is unsafe: it is loopback here.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
