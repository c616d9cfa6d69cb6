"""The SMS port over Twilio's Messages API (ADR 0024 for the choice and the sources).

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json``, HTTP Basic auth with the account
SID and auth token, form-encoded ``To`` (E.164), ``From`` (a Twilio number or an alphanumeric
sender ID) and ``Body``. Success is ``201 Created`` with the Message resource as JSON (``sid``,
``status`` ``queued``/``accepted``…). Errors are JSON ``{"code", "message", "more_info",
"status"}``: 429 (20429, too many requests) and 5xx are worth retrying; other 4xx (21211
invalid "To", 21610 unsubscribed, 20003 authentication) are not.
"""

from __future__ import annotations

import httpx

from frontdesk.messages.ports import DeliveryFailed, Sms


class TwilioSmsSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        account_sid: str,
        auth_token: str,
        base_url: str = "https://api.twilio.com",
    ) -> None:
        self._client = client
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = httpx.BasicAuth(account_sid, auth_token)

    async def send(self, sms: Sms) -> str:
        form = {"To": sms.to, "From": sms.sender, "Body": sms.text}
        try:
            response = await self._client.post(self._url, data=form, auth=self._auth)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(
                f"Twilio unreachable: {type(exc).__name__}", transient=True
            ) from exc
        if response.status_code == 201:
            sid = _json(response).get("sid")
            if not isinstance(sid, str):
                raise DeliveryFailed("Twilio answered 201 without a sid", transient=False)
            return sid
        body = _json(response)
        code = body.get("code")
        transient = response.status_code == 429 or response.status_code >= 500
        raise DeliveryFailed(f"Twilio {response.status_code} code {code}", transient=transient)


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
