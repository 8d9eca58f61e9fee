"""## PL000 invalid-yaml

**What it does.** Reports a file that cannot be read as one YAML document: a syntax error, a
duplicate key, a tag (such as `!!python/object`), text that is not UTF-8, several documents in
one file, nesting deeper than 100 levels, aliases that stand for more text than the file
holds, a value of more than 10,000 characters (no name, id or description needs them, and a
value is paid for again in every finding that names it), or more YAML values than an
inventory may hold (one per 4 bytes of its size limit: 2.6 million at 10 MB).
The finding points at the line and column where reading stopped.

**Why is this bad?** Nothing else can be checked in a file privlint cannot read, so a broken
inventory would otherwise pass a compliance gate silently. Duplicate keys are errors because
YAML parsers disagree on which value wins; tags are refused because they can make a YAML
loader construct objects or run code.

privlint reads YAML 1.2: `country: NO` is the string "NO" (Norway), not `false`.

**Example**
```yaml
systems:
  - id: storefront
    country: US
    country: DE        # duplicate key
```

**Fix.** Correct the syntax at the reported position; remove one of the duplicate keys; drop
tags; split multi-document files into several files of one directory inventory; shorten an
over-long value; remove data the inventory does not need.
"""

from privlint.lint.engine import Violation

ID = "PL000"
NAME = "invalid-yaml"
SEVERITY = "error"
SUMMARY = "a file is not valid YAML (position of the parse error)"
STAGE = "document"


def check(context):
    for path, error in context.yaml_errors:
        yield Violation("file", error.message, path, error.line, error.column)
