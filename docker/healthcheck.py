"""The web container's health check (docker-compose): GET /healthz on the local gunicorn.

Exits 0 when the portal answers 200, 1 otherwise. Sends the first of ALLOWED_HOSTS as
Host, since Django refuses other host names. Standard library only.
"""

import os
import sys
import urllib.request

PORT = os.environ.get("PORT", "8000")


def host():
    first = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    return first.lstrip(".") if first not in ("", "*") else "localhost"


def main():
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/healthz", headers={"Host": host()})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # refused, timed out, 503…
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
