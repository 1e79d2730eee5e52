#!/bin/sh
# Regenerates the seed corpora under fuzz/corpus/ from the project's test data. Re-runnable:
# each corpus directory is emptied and rewritten, with stable names, so a re-run on
# unchanged data leaves `git status` clean. The output is committed; run this after the
# sample leads, the example workspace or the Mustache spec change.
#
#   lead/       each line of example/samples/leads.jsonl, plus hand-written malformed leads
#   mustache/   each test of the core Mustache spec files (TEMPLATE NUL DATA [NUL PARTIALS],
#               the layout fuzz_mustache.c reads) and example/templates/*.mustache
#   extract/    the customer text of each sample lead (message, or the customer's turns),
#               and every fourth message of the labelled set tests/data/extraction/
#   workspace/  example/catalog.yaml and example/policies.yaml behind their selector byte
#   cel/        each expression of cel-spec's conformance files (EXPR, or EXPR NUL JSON when
#               the test binds x), and the example workspace's `when:` conditions
#   ask/        the subject of each sample lead, and the headings of the knowledge documents
#   mail/       the sample mails of tests/data/mail
#   document/   the example's proposal templates (Markdown with Mustache tags) and a proposal
#               with raw HTML in its text and its table
#
# Usage: fuzz/make-corpus.sh [SPEC-DIR]   (default ../shared/conformance/mustache-spec)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
spec=${1:-$top/../shared/conformance/mustache-spec}
[ -d "$spec" ] || { echo "make-corpus.sh: no Mustache spec at $spec" >&2; exit 1; }

exec python3 - "$top" "$spec" <<'PY'
import glob, json, os, shutil, sys

top, spec = sys.argv[1], sys.argv[2]
corpus = os.path.join(top, 'fuzz', 'corpus')

def reset(name):
    # regress-* files are the reproducers of fixed findings: kept, never regenerated
    d = os.path.join(corpus, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if not f.startswith('regress-'):
            os.remove(os.path.join(d, f))
    return d

def put(d, name, data):
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))

def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(',', ':'))

with open(os.path.join(top, 'example', 'samples', 'leads.jsonl'), encoding='utf-8') as f:
    lines = [l.rstrip('\n') for l in f if l.strip()]
leads = [json.loads(l) for l in lines]

# ---- lead ---------------------------------------------------------------------------
d = reset('lead')
for i, l in enumerate(lines, 1):
    put(d, 'sample-%02d.json' % i, l)
first = leads[0]
malformed = {
    'truncated': lines[0][:len(lines[0]) // 2],
    'empty-object': '{}',
    'not-an-object': '[{"source":"email"}]',
    'unknown-field': compact(dict(first, priority='high')),
    'unknown-contact-field': compact(dict(first, contact=dict(first['contact'], fax='1'))),
    'wrong-types': '{"source":1,"external_id":[],"received_at":{},"contact":"x","message":null}',
    'bad-source': compact(dict(first, source='fax')),
    'empty-external-id': compact(dict(first, external_id='')),
    'bad-timestamp': compact(dict(first, received_at='2026-13-45T25:61:00+99:00')),
    'bad-email': compact(dict(first, contact=dict(first['contact'], email='a@@b'))),
    'bad-country': compact(dict(first, contact=dict(first['contact'], country='Atlantis'))),
    'nul-in-string': '{"source":"email","external_id":"x\\u0000y","message":"a\\u0000b"}',
    'control-char': '{"source":"email","external_id":"x\\u0007","message":"hi"}',
    'lone-surrogate': '{"source":"email","external_id":"x","message":"\\ud800"}',
    'duplicate-key': '{"source":"email","source":"chat","external_id":"x","message":"hi"}',
    'bad-transcript': '{"source":"chat","external_id":"c","transcript":[{"from":"bot","text":"x"},'
                      '{"from":"customer"},{"from":"agent","text":1,"extra":true},7]}',
    'message-and-transcript': '{"source":"chat","external_id":"c","message":"m",'
                              '"transcript":[{"from":"customer","text":"t"}]}',
    'deep-nesting': '{"source":"email","external_id":"x","contact":' + '[' * 200 + ']' * 200 + '}',
}
for name, text in malformed.items():
    put(d, 'bad-%s.json' % name, text)
put(d, 'bad-invalid-utf8.json', b'{"source":"email","external_id":"\xc3\x28","message":"\xff"}')

# ---- mustache -----------------------------------------------------------------------
d = reset('mustache')
for path in sorted(glob.glob(os.path.join(spec, '*.json'))):
    base = os.path.basename(path)[:-len('.json')]
    if base.startswith('~'):
        continue  # optional modules (lambdas, inheritance, dynamic names) are not supported
    with open(path, encoding='utf-8') as f:
        tests = json.load(f)['tests']
    for i, t in enumerate(tests, 1):
        parts = [t['template'], compact(t.get('data'))]
        if t.get('partials'):
            parts.append(compact(t['partials']))
        put(d, 'spec-%s-%02d' % (base, i), '\0'.join(parts))
partials = {}
for p in sorted(glob.glob(os.path.join(top, 'example', 'templates', 'partials', '*.mustache'))):
    with open(p, encoding='utf-8') as f:
        partials[os.path.basename(p)[:-len('.mustache')]] = f.read()
for p in sorted(glob.glob(os.path.join(top, 'example', 'templates', '*.mustache'))):
    with open(p, encoding='utf-8') as f:
        text = f.read()
    stem = os.path.basename(p)[:-len('.mustache')]
    put(d, 'example-%s' % stem, text)  # against the fuzzer's fixed view and partials
    put(d, 'example-%s-partials' % stem, '\0'.join([text, '{}', compact(partials)]))

# ---- extract ------------------------------------------------------------------------
d = reset('extract')
for i, lead in enumerate(leads, 1):
    if 'message' in lead:
        text = lead['message']
    else:
        text = '\n'.join(t['text'] for t in lead.get('transcript', []) if t.get('from') == 'customer')
    put(d, 'sample-%02d.txt' % i, text)
for f in sorted(glob.glob(os.path.join(top, 'tests', 'data', 'extraction', '*.json')))[::4]:
    with open(f, encoding='utf-8') as fh:
        put(d, 'eval-%s.txt' % os.path.basename(f)[:-5], json.load(fh)['message'])

# ---- cel ------------------------------------------------------------------------------
d = reset('cel')
celdir = os.path.join(os.path.dirname(spec), 'cel-spec', 'json')
for base in ('basic', 'comparisons', 'logic', 'integer_math', 'fp_math', 'string', 'lists',
             'macros', 'macros2', 'conversions', 'fields', 'timestamps', 'plumbing', 'parse'):
    path = os.path.join(celdir, base + '.json')
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    for s_ in doc.get('section', []):
        for i, t in enumerate(s_.get('test', []), 1):
            put(d, 'spec-%s-%s-%02d' % (base, s_['name'], i), t['expr'])
import re
for name in ('policies', 'qualification'):
    with open(os.path.join(top, 'example', name + '.yaml'), encoding='utf-8') as f:
        text = f.read()
    for i, m in enumerate(re.finditer(r'when: (?:>-\n((?:      .*\n)+)|(.*))', text), 1):
        expr = ' '.join(l.strip() for l in (m.group(1) or m.group(2)).splitlines())
        put(d, 'example-%s-%02d' % (name, i), expr)

# ---- ask ----------------------------------------------------------------------------
d = reset('ask')
for i, lead in enumerate(leads, 1):
    if lead.get('subject'):
        put(d, 'subject-%02d.txt' % i, lead['subject'])
for path in sorted(glob.glob(os.path.join(top, 'example', 'knowledge', '*.md'))):
    with open(path, encoding='utf-8') as f:
        heads = [l.lstrip('#').strip() for l in f if l.startswith('## ')]
    put(d, 'headings-' + os.path.basename(path)[:-3] + '.txt', ' '.join(heads) + '?')

# ---- document -----------------------------------------------------------------------
d = reset('document')
for path in sorted(glob.glob(os.path.join(top, 'example', 'templates', '**', 'proposal.mustache'),
                             recursive=True)):
    with open(path, 'rb') as f:
        put(d, 'template-' + os.path.relpath(path, os.path.join(top, 'example', 'templates'))
            .replace('/', '-')[:-9] + '.md', f.read())
put(d, 'hostile.md', '# Proposal\n\n<script>alert(1)</script>\n\n| a | b |\n|---|--:|\n'
    '| <img src=x onerror=alert(1)> | 1 |\n\nClaim [^1]\n\n[^1]: Heading, `k.md#a`\n')

# ---- workspace ----------------------------------------------------------------------
d = reset('workspace')
for sel, name in (('c', 'catalog'), ('p', 'policies')):
    with open(os.path.join(top, 'example', name + '.yaml'), 'rb') as f:
        put(d, '%s.yaml' % name, sel.encode() + f.read())

# ---- mail ---------------------------------------------------------------------------
d = reset('mail')
for path in sorted(glob.glob(os.path.join(top, 'tests', 'data', 'mail', '*.eml'))):
    with open(path, 'rb') as f:
        put(d, os.path.basename(path), f.read())
PY
