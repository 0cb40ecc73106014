#!/usr/bin/env python3
"""Write a CycloneDX 1.6 JSON SBOM of N components for the matching benchmark.

Two shapes (deterministic for a given database, N and shape):
- `mixed` (default): every package the database names appears once, at a version drawn from the versions its
  records name (range events and explicit lists: some affected, some fixed), so every record is loaded and
  evaluated; the rest of the N are packages no record names, as in most real SBOMs.
- `edges`: every (package, version) pair the records name, until N components: nearly every component is
  at an edge of some range, a worst case with hundreds of thousands of findings.
Usage: gen-sbom.py ADVISORY_DB N [mixed|edges] > sbom.json
"""
import json, random, sqlite3, sys

PURL_TYPE = {"crates.io": "cargo", "npm": "npm", "PyPI": "pypi", "Go": "golang", "Maven": "maven",
             "NuGet": "nuget", "RubyGems": "gem", "Packagist": "composer", "Pub": "pub", "Hex": "hex"}

def purl(eco, name, version):
    t = PURL_TYPE[eco]
    if t == "maven" and ":" in name:
        g, a = name.split(":", 1)
        return f"pkg:maven/{g}/{a}@{version}"
    if t == "golang":
        return f"pkg:golang/{name}@{'v' + version if not version.startswith('v') else version}"
    if t == "npm" and name.startswith("@"):
        return f"pkg:npm/%40{name[1:]}@{version}"
    return f"pkg:{t}/{name}@{version}"

def main():
    db, n = sys.argv[1], int(sys.argv[2])
    shape = sys.argv[3] if len(sys.argv) > 3 else "mixed"
    rng = random.Random(42)
    conn = sqlite3.connect(db)
    pairs = []
    for (record,) in conn.execute("SELECT record FROM advisory WHERE withdrawn IS NULL ORDER BY id"):
        adv = json.loads(record)
        for aff in adv.get("affected", []):
            eco = aff["ecosystem"].split(":")[0]
            if eco not in PURL_TYPE:
                continue
            versions = set(aff.get("versions", []))
            for r in aff.get("ranges", []):
                if r["kind"] in ("Semver", "Ecosystem"):
                    for e in r["events"]:
                        v = list(e.values())[0]
                        if v not in ("0", "*"):
                            versions.add(v)
            for v in sorted(versions):
                pairs.append((eco, aff["name"], v))
    pairs = sorted(set(pairs))
    if shape == "mixed":
        by_package = {}
        for eco, name, version in pairs:
            by_package.setdefault((eco, name), []).append(version)
        pairs = [(eco, name, rng.choice(versions)) for (eco, name), versions in sorted(by_package.items())]
    rng.shuffle(pairs)
    components = []
    seen = set()
    i = 0
    while len(components) < n:
        if i < len(pairs):
            eco, name, version = pairs[i]
        else:
            eco = rng.choice(list(PURL_TYPE))
            name = f"bench-unknown-{i}"
            version = f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"
            if eco == "Maven":
                name = f"org.example.bench:{name}"
        i += 1
        p = purl(eco, name, version)
        if p in seen:
            continue
        seen.add(p)
        components.append({"type": "library", "bom-ref": p, "name": name, "version": version, "purl": p})
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
           "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000100",
           "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                        "component": {"type": "application", "bom-ref": "bench", "name": "bench-100k"}},
           "components": components}
    json.dump(bom, sys.stdout)

main()
