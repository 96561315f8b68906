#!/usr/bin/env python3
"""Stand-ins for the AWS credential services that cannot run here, answering as
the AWS documentation specifies:

- STS AssumeRoleWithWebIdentity (API reference: unsigned form POST or GET query,
  XML answer AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials);
- the ECS container credentials endpoint (ECS developer guide, "Task IAM role":
  JSON AccessKeyId, SecretAccessKey, Token, Expiration; Authorization header checked);
- the EC2 instance metadata service, IMDSv2 (EC2 user guide: PUT /latest/api/token with
  X-aws-ec2-metadata-token-ttl-seconds, then GETs under
  /latest/meta-data/iam/security-credentials/ with X-aws-ec2-metadata-token).

Usage: fake_credential_endpoints.py STATE_JSON LOG_JSONL
STATE_JSON is read on every request: {"access_key", "secret_key", "token", "expires_in",
"role", "authorization"}. Every request is appended to LOG_JSONL as one JSON line.
Prints the port it listens on (127.0.0.1, chosen by the system) as its first line.
"""
import datetime
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE_PATH, LOG_PATH = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()
ISSUED_TOKENS = set()


def state():
    with open(STATE_PATH) as f:
        return json.load(f)


def expiration(seconds):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, body):
        entry = {"method": self.command, "path": self.path,
                 "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        with LOCK, open(LOG_PATH, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def credentials_json(self, s, token_key="Token", extra=None):
        document = dict(extra or {})
        document.update({"AccessKeyId": s["access_key"], "SecretAccessKey": s["secret_key"],
                         token_key: s.get("token", ""), "Expiration": expiration(s.get("expires_in", 3600))})
        return json.dumps(document)

    def do_PUT(self):
        self.record("")
        if self.path == "/latest/api/token":
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.reply(400, "", "text/plain")
            token = "imds-session-%d" % (len(ISSUED_TOKENS) + 1)
            ISSUED_TOKENS.add(token)
            return self.reply(200, token, "text/plain")
        self.reply(404, "", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.record(body)
        self.sts(urllib.parse.parse_qs(body))

    def do_GET(self):
        self.record("")
        parsed = urllib.parse.urlparse(self.path)
        s = state()
        prefix = "/latest/meta-data/iam/security-credentials/"
        if parsed.path.startswith(prefix):
            if self.headers.get("X-aws-ec2-metadata-token") not in ISSUED_TOKENS:
                return self.reply(401, "", "text/plain")
            role = parsed.path[len(prefix):]
            if role == "":
                return self.reply(200, s.get("role", "sluice-role"), "text/plain")
            if role != s.get("role", "sluice-role"):
                return self.reply(404, "", "text/plain")
            extra = {"Code": "Success", "LastUpdated": expiration(0), "Type": "AWS-HMAC"}
            return self.reply(200, self.credentials_json(s, extra=extra))
        if parsed.path.startswith("/ecs/"):
            wanted = s.get("authorization")
            if wanted is not None and self.headers.get("Authorization") != wanted:
                return self.reply(403, json.dumps({"code": "AccessDenied", "message": "bad authorization token"}))
            return self.reply(200, self.credentials_json(s, extra={"RoleArn": "arn:aws:iam::123456789012:role/ecs"}))
        if parsed.query:
            return self.sts(urllib.parse.parse_qs(parsed.query))
        self.reply(404, "", "text/plain")

    def sts(self, form):
        s = state()
        def one(name):
            return (form.get(name) or [""])[0]
        if one("Action") != "AssumeRoleWithWebIdentity" or one("Version") != "2011-06-15":
            return self.reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code><Message>unknown action</Message></Error></ErrorResponse>", "text/xml")
        if not one("WebIdentityToken") or not one("RoleArn") or not one("RoleSessionName"):
            return self.reply(400, "<ErrorResponse><Error><Code>MissingParameter</Code><Message>missing a parameter</Message></Error></ErrorResponse>", "text/xml")
        xml = """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:sluice</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>%s/%s</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:%s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>%s</SessionToken>
      <SecretAccessKey>%s</SecretAccessKey>
      <Expiration>%s</Expiration>
      <AccessKeyId>%s</AccessKeyId>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>""" % (one("RoleArn"), one("RoleSessionName"), one("RoleSessionName"),
                                           s.get("token", ""), s["secret_key"], expiration(s.get("expires_in", 3600)),
                                           s["access_key"])
        self.reply(200, xml, "text/xml")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
