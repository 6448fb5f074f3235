"""Check recorded AWS requests against AWS's own API models (botocore's).

    python check_requests.py RECORDING

RECORDING is the emulator's request recording (moto's recorder: one JSON
object per line with method, url, headers and body). For every request
signed for a service, the checker finds the operation it calls from the
wire alone (X-Amz-Target, Action=, or the method and path against each
operation's HTTP binding) and checks its input against the operation's
input shape: every parameter, query key, label and body member is one the
model has, every required member is there, each value has the model's type
and, where the model lists them, one of its enum values.

Prints one line per operation seen (`service Operation: N`), then one line
per fault (`fault: service Operation: what`), and exits 1 when there is a
fault. The emulator is lenient (moto ignores what it does not know), so a
request it answers may still be one AWS refuses; this is the check that
each request is one AWS's models allow.
"""

import base64
import collections
import json
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.session

# The model of each SigV4 signing name wway signs for.
SERVICES = {
    "cloudfront": "cloudfront",
    "ec2": "ec2",
    "eks": "eks",
    "iam": "iam",
    "kms": "kms",
    "lambda": "lambda",
    "route53": "route53",
    "s3": "s3",
    "servicequotas": "service-quotas",
    "ssm": "ssm",
    "sts": "sts",
    "tagging": "resourcegroupstaggingapi",
}


class Faults:
    def __init__(self):
        self.found = []

    def add(self, where, what):
        self.found.append(f"{where}: {what}")


def scalar_fault(shape, value):
    """What is wrong with `value` (a string off the wire, or a JSON value)
    for a scalar `shape`, or None."""
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return f"{value!r} is not a string"
        if shape.enum and value not in shape.enum:
            return f"{value!r} is not one of {sorted(shape.enum)}"
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not re.fullmatch(r"-?\d+", str(value)):
            return f"{value!r} is not an integer"
    elif kind in ("double", "float"):
        try:
            float(value)
        except (TypeError, ValueError):
            return f"{value!r} is not a number"
    elif kind == "boolean":
        if str(value).lower() not in ("true", "false"):
            return f"{value!r} is not a boolean"
    return None


def required_missing(shape, present):
    return sorted(set(shape.required_members) - set(present))


def check_json(shape, value, where, faults):
    """A JSON body (or part of one) against `shape`."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return faults.add(where, f"{value!r} is not an object")
        names = {m.serialization.get("name", n): (n, m) for n, m in shape.members.items()}
        for key, item in value.items():
            if key not in names:
                faults.add(where, f"member {key} is not in {shape.name}")
            else:
                check_json(names[key][1], item, f"{where}.{key}", faults)
        wire = [m.serialization.get("name", n) for n, m in shape.members.items()]
        present = [names[k][0] for k in value if k in names]
        for name in required_missing(shape, present):
            if name in shape.members and shape.members[name].serialization.get("location"):
                continue  # a label or header, checked with the request
            faults.add(where, f"required member {name} is missing (has {sorted(value)}; {wire})")
    elif kind == "list":
        if not isinstance(value, list):
            return faults.add(where, f"{value!r} is not a list")
        for index, item in enumerate(value):
            check_json(shape.member, item, f"{where}[{index}]", faults)
    elif kind == "map":
        if not isinstance(value, dict):
            return faults.add(where, f"{value!r} is not a map")
        for key, item in value.items():
            check_json(shape.value, item, f"{where}[{key}]", faults)
    elif kind == "blob":
        if not isinstance(value, str):
            faults.add(where, f"{value!r} is not base64 text")
    elif kind == "timestamp":
        if not isinstance(value, (int, float, str)):
            faults.add(where, f"{value!r} is not a timestamp")
    else:
        fault = scalar_fault(shape, value)
        if fault:
            faults.add(where, fault)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def xml_name(name, member):
    return member.serialization.get("name", name)


def check_xml(shape, element, where, faults):
    """An XML element (the payload or part of it) against `shape`."""
    kind = shape.type_name
    if kind == "structure":
        names = {xml_name(n, m): (n, m) for n, m in shape.members.items()}
        present = []
        for child in element:
            tag = local(child.tag)
            if tag not in names:
                faults.add(where, f"element {tag} is not in {shape.name}")
                continue
            name, member = names[tag]
            present.append(name)
            if member.type_name == "list" and member.serialization.get("flattened"):
                check_xml(member.member, child, f"{where}.{tag}", faults)
            else:
                check_xml(member, child, f"{where}.{tag}", faults)
        for name in required_missing(shape, present):
            faults.add(where, f"required element {name} is missing")
    elif kind == "list":
        item_name = shape.member.serialization.get("name", "member")
        for index, child in enumerate(element):
            if local(child.tag) != item_name:
                faults.add(where, f"list item <{local(child.tag)}>, the model names <{item_name}>")
            check_xml(shape.member, child, f"{where}[{index}]", faults)
    elif kind == "map":
        for child in element:
            value = next((c for c in child if local(c.tag) == "value"), None)
            if value is not None:
                check_xml(shape.value, value, where, faults)
    else:
        fault = scalar_fault(shape, (element.text or "").strip())
        if fault and kind not in ("blob", "timestamp"):
            faults.add(where, fault)


def query_segments(shape, parts, where, faults, ec2):
    """One flattened query key (`Filter.1.Value.2`) walked through `shape`."""
    if not parts:
        return
    kind = shape.type_name
    if kind == "structure":
        names = {query_name(n, m, ec2): m for n, m in shape.members.items()}
        head = parts[0]
        if head not in names:
            return faults.add(where, f"parameter {head} is not in {shape.name}")
        query_segments(names[head], parts[1:], f"{where}.{head}", faults, ec2)
    elif kind == "list":
        rest = parts
        if not ec2 and not shape.serialization.get("flattened"):
            item = shape.member.serialization.get("name", "member")
            if rest[0] != item:
                return faults.add(where, f"list item {rest[0]}, the model names {item}")
            rest = rest[1:]
        if not rest or not rest[0].isdigit():
            return faults.add(where, f"list parameter without an index: {parts}")
        query_segments(shape.member, rest[1:], f"{where}.{rest[0]}", faults, ec2)
    elif kind == "map":
        if len(parts) < 3 or parts[0] != "entry" or parts[2] not in ("key", "value"):
            return faults.add(where, f"map parameter {parts}")
        if parts[2] == "value":
            query_segments(shape.value, parts[3:], where, faults, ec2)
    else:
        faults.add(where, f"{shape.type_name} parameter with more after it: {parts}")


def query_value(shape, parts, ec2):
    """The scalar shape a flattened query key ends at (None when it does not resolve)."""
    for part in parts:
        kind = shape.type_name
        if kind == "structure":
            found = [m for n, m in shape.members.items() if query_name(n, m, ec2) == part]
            if not found:
                return None
            shape = found[0]
        elif kind == "list":
            if part.isdigit():
                shape = shape.member
            elif part != shape.member.serialization.get("name", "member"):
                return None
        elif kind == "map":
            if part == "key":
                shape = shape.key
            elif part == "value":
                shape = shape.value
        else:
            return None
    return shape


def query_name(name, member, ec2):
    """A member's name in a query: EC2's queryName or capitalised name."""
    wire = member.serialization.get("name", name)
    if ec2:
        return member.serialization.get("queryName") or wire[:1].upper() + wire[1:]
    return wire


def check_query(operation, params, where, faults, ec2):
    shape = operation.input_shape
    keys = [key for key in params if key not in ("Action", "Version")]
    if shape is None:
        for key in keys:
            faults.add(where, f"parameter {key} for an operation without input")
        return
    for key in keys:
        parts = key.split(".")
        query_segments(shape, parts, where, faults, ec2)
        end = query_value(shape, parts, ec2)
        if end is not None and end.type_name not in ("structure", "list", "map"):
            fault = scalar_fault(end, params[key][0])
            if fault:
                faults.add(f"{where}.{key}", fault)
    top = {key.split(".")[0] for key in keys}
    present = [n for n, m in shape.members.items() if query_name(n, m, ec2) in top]
    for name in required_missing(shape, present):
        faults.add(where, f"required parameter {name} is missing")


def binding(operation, path, query):
    """How well `operation`'s HTTP binding matches: (score, labels), or None."""
    template, _, literal_query = operation.http["requestUri"].partition("?")
    pattern, labels = "", []
    for token in re.split(r"(\{[^}]+\})", template):
        if token.startswith("{"):
            label = token[1:-1]
            labels.append(label.rstrip("+"))
            pattern += "(.+)" if label.endswith("+") else "([^/]+)"
        else:
            pattern += re.escape(token)
    match = re.fullmatch(pattern + "/?", path) or re.fullmatch(pattern, path + "/")
    if not match:
        return None
    needed = urllib.parse.parse_qs(literal_query, keep_blank_values=True)
    if any(key not in query for key in needed):
        return None
    if any(value != [""] and query.get(key) != value for key, value in needed.items()):
        return None
    found = dict(zip(labels, (urllib.parse.unquote(g) for g in match.groups())))
    found["_literal_query"] = set(needed)
    return len(template) - sum(len(l) + 2 for l in labels) + 10 * len(needed), found


def route_labels(operation, path, query):
    matched = binding(operation, path, query)
    return matched[1] if matched else {"_literal_query": set()}


def route(model, method, path, query):
    """The operation a REST request calls: the one whose binding matches
    with the most literal text."""
    best, best_score, best_labels = None, -1, {}
    for name in model.operation_names:
        operation = model.operation_model(name)
        if operation.http.get("method") != method:
            continue
        matched = binding(operation, path, query)
        if matched and matched[0] > best_score:
            best, (best_score, best_labels) = operation, matched
    return best, best_labels


def check_rest(model, operation, labels, request, query, body, where, faults):
    shape = operation.input_shape
    headers = {k.lower(): v for k, v in request["headers"].items()}
    if shape is None:
        return
    present = []
    allowed_query = set(labels.pop("_literal_query"))
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        value = None
        if location == "uri":
            value = labels.get(wire)
        elif location == "querystring":
            if member.type_name == "map":
                allowed_query |= set(query)
                continue
            allowed_query.add(wire)
            value = query.get(wire, [None])[0]
        elif location == "header":
            value = headers.get(wire.lower())
        elif location == "headers":
            if any(h.startswith(wire.lower()) for h in headers):
                present.append(name)
            continue
        elif name == payload:
            value = body if body else None
        if value is not None:
            present.append(name)
            if location in ("uri", "querystring", "header") and member.type_name not in (
                "list",
                "timestamp",
                "blob",
            ):
                fault = scalar_fault(member, value)
                if fault:
                    faults.add(f"{where} {wire}", fault)
    for key in query:
        if key not in allowed_query:
            faults.add(where, f"query parameter {key} is not in the model")
    if body:
        if model.protocol == "rest-json":
            document = json.loads(body)
            if payload:
                check_json(shape.members[payload], document, where, faults)
            else:
                body_shape = {
                    n: m for n, m in shape.members.items() if not m.serialization.get("location")
                }
                for key, value in document.items():
                    name = next(
                        (n for n, m in body_shape.items() if m.serialization.get("name", n) == key),
                        None,
                    )
                    if name is None:
                        faults.add(where, f"body member {key} is not in the model")
                    else:
                        check_json(body_shape[name], value, f"{where}.{key}", faults)
                        present.append(name)
        elif payload and shape.members[payload].type_name == "structure":
            root = ET.fromstring(body)
            member = shape.members[payload]
            expected = member.serialization.get("name", member.name)
            if local(root.tag) != expected:
                faults.add(where, f"the body's root is <{local(root.tag)}>, the model's <{expected}>")
            check_xml(member, root, where, faults)
        elif not payload and model.protocol == "rest-xml":
            root = ET.fromstring(body)
            expected = shape.serialization.get("name", shape.name)
            if local(root.tag) != expected:
                faults.add(where, f"the body's root is <{local(root.tag)}>, the model's <{expected}>")
            names = {xml_name(n, m): n for n, m in shape.members.items()}
            for child in root:
                name = names.get(local(child.tag))
                if name is None:
                    faults.add(where, f"element {local(child.tag)} is not in the model")
                else:
                    present.append(name)
                    check_xml(shape.members[name], child, f"{where}.{name}", faults)
    for name in required_missing(shape, present):
        faults.add(where, f"required member {name} is missing")


def body_of(request):
    body = request.get("body") or ""
    if request.get("body_encoded"):
        return base64.b64decode(body)
    return body.encode()


def recorded(path):
    """The requests of a recording: JSON objects one after another (moto's
    recorder writes an object and its newline in two writes, so requests
    from two threads can share a line)."""
    with open(path) as recording:
        text = recording.read()
    decoder, at = json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        request, at = decoder.raw_decode(text, at)
        yield request


def main():
    session = botocore.session.get_session()
    models = {}
    seen = collections.Counter()
    faults = Faults()
    unknown = collections.Counter()
    for request in recorded(sys.argv[1]):
        headers = request["headers"]
        authorization = headers.get("Authorization", "")
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/", authorization)
        if not scope:
            continue  # the test's own calls to the launcher
        signing = scope.group(2)
        if signing not in SERVICES:
            unknown[signing] += 1
            continue
        model = models.setdefault(signing, session.get_service_model(SERVICES[signing]))
        url = urllib.parse.urlsplit(request["url"])
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = body_of(request)
        target = headers.get("X-Amz-Target")
        text_body = body.decode("utf-8", "replace")
        if target:
            name = target.rsplit(".", 1)[-1]
            if name not in model.operation_names:
                faults.add(f"{signing} {target}", "no such operation")
                continue
            operation = model.operation_model(name)
            where = f"{signing} {name}"
            if operation.input_shape is not None:
                check_json(operation.input_shape, json.loads(text_body or "{}"), where, faults)
        elif model.protocol in ("query", "ec2"):
            params = urllib.parse.parse_qs(text_body, keep_blank_values=True)
            params.update(query)
            name = params.get("Action", [""])[0]
            if name not in model.operation_names:
                faults.add(f"{signing} {name}", "no such operation")
                continue
            operation = model.operation_model(name)
            where = f"{signing} {name}"
            version = params.get("Version", [""])[0]
            if version != model.api_version:
                faults.add(where, f"Version {version}, the model's {model.api_version}")
            check_query(operation, params, where, faults, model.protocol == "ec2")
        else:
            path = url.path
            operation, labels = route(model, request["method"], path, query)
            # The SDKs name S3 operations that share a binding (PutObject
            # and CopyObject) in `x-id`.
            named = query.pop("x-id", [None])[0]
            if named and named in model.operation_names:
                operation, labels = model.operation_model(named), route_labels(
                    model.operation_model(named), path, query
                )
            if operation is None:
                faults.add(f"{signing} {request['method']} {path}", "no operation has this path")
                continue
            name = operation.name
            where = f"{signing} {name}"
            check_rest(model, operation, labels, request, query, text_body, where, faults)
        seen[f"{signing} {name}"] += 1
    for operation, count in sorted(seen.items()):
        print(f"{operation}: {count}")
    for signing, count in sorted(unknown.items()):
        faults.add(signing, f"{count} requests to a service the checker has no model for")
    for fault in faults.found:
        print(f"fault: {fault}")
    sys.exit(1 if faults.found else 0)


if __name__ == "__main__":
    main()
