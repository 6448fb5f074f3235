"""Patch 23: GetFunction's Code.Location serves the code.

AWS answers GetFunction, of $LATEST or of a published version, with
Code.Location: a presigned S3 URL, valid for ten minutes, from which that
version's deployment package downloads with a plain GET (the URL carries its
own signature: no credentials). moto answers a made-up S3 host name that
serves nothing. We answer a URL on this emulator,
`/_wway/lambda-code/<sha256 of the package>`, that serves the package the
function or version runs, as its CodeSha256 says.
"""

import functools
import threading

PREFIX = "/_wway/lambda-code/"

# The packages GetFunction has pointed at, by the hex SHA-256 of their bytes.
_packages = {}
_lock = threading.Lock()
# The Host each request came to, for the URLs its answer gives.
_request = threading.local()


def patch() -> None:
    from moto.awslambda import models

    original = models.LambdaFunction.get_code

    @functools.wraps(original)
    def get_code(self):
        answer = original(self)
        if self.package_type != "Image" and self.code_bytes:
            with _lock:
                _packages[self.code_digest] = self.code_bytes
            host = getattr(_request, "host", "127.0.0.1")
            answer["Code"] = {"Location": f"http://{host}{PREFIX}{self.code_digest}", "RepositoryType": "S3"}
        return answer

    models.LambdaFunction.get_code = get_code


def serve(app):
    """Wraps the WSGI app: serves the packages, and notes each request's host."""

    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            _request.host = environ.get("HTTP_HOST", "127.0.0.1")
            return app(environ, start_response)
        with _lock:
            package = _packages.get(path[len(PREFIX):])
        if package is None or environ.get("REQUEST_METHOD") != "GET":
            body = b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
            start_response("404 Not Found", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
            return [body]
        start_response("200 OK", [("Content-Type", "application/zip"), ("Content-Length", str(len(package)))])
        return [package]

    return wrapped
