"""A daemon written for Entra ID with MSAL Python, pointed at a Tessera tenant.

Run by msal-python.test.ts with Debian's /usr/bin/python3 (python3-msal). Reads one JSON
object on stdin:

    {"authority": "https://127.0.0.1:PORT/demo", "client_id": "weather-daemon",
     "credential": {"secret": "..."} | {"private_key": "PEM", "thumbprint": "SHA-1 hex"},
     "scopes": ["api://weather/.default"], "ca_bundle": "/path/to/ca.pem",
     "api_url": "http://127.0.0.1:PORT/forecast"}

Acquires a token exactly as an Entra ID daemon does (ConfidentialClientApplication,
acquire_token_for_client), calls the API with it, and prints one JSON object on stdout:
{"token": {...MSAL result...}, "api": {"status": ..., "body": ...}} or {"error": ...}.
Nothing else is printed: the output carries a token and goes only to the test.
"""
import json
import sys

import msal
import requests


def credential_of(spec):
    if "secret" in spec:
        return spec["secret"]
    # MSAL Python 1.21 signs an RS256 client assertion whose header names the certificate by
    # its SHA-1 thumbprint (`x5t`), as it does for Entra ID.
    return {"private_key": spec["private_key"], "thumbprint": spec["thumbprint"]}


def main():
    config = json.load(sys.stdin)
    app = msal.ConfidentialClientApplication(
        config["client_id"],
        client_credential=credential_of(config["credential"]),
        # The only change from an Entra ID app: the authority is the Tessera issuer, and
        # MSAL must not ask login.microsoftonline.com whether it knows this host.
        authority=config["authority"],
        validate_authority=False,
        verify=config["ca_bundle"],
    )
    result = app.acquire_token_for_client(scopes=config["scopes"])
    if "access_token" not in result:
        print(json.dumps({"error": result.get("error"), "error_description": result.get("error_description")}))
        return 1
    response = requests.get(
        config["api_url"],
        headers={"Authorization": "Bearer " + result["access_token"]},
        timeout=30,
    )
    print(json.dumps({
        "msal_version": msal.__version__,
        "token": {key: result.get(key) for key in ("access_token", "token_type", "expires_in", "token_source")},
        "api": {"status": response.status_code, "body": response.json()},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
