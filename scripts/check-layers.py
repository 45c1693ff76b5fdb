#!/usr/bin/env python3
"""check-layers.py: the include lines of provider/ only point down the layers.

Every C file of provider/ sits in one layer folder, and every project
include names the folder of the header ("services/kms.h"), so that each
dependency between layers can be read in an include line. This reads
those lines and fails (exit 1, one line per problem, with file and line)
on a file outside the known folders, an include that does not name an
existing header by its folder, an include against the allowed
directions, or a cycle between folders. docs/architecture.md explains the
layers.

Usage: check-layers.py [PROVIDER_DIR]   (default: provider/ next to scripts/)
       check-layers.py --graph [PROVIDER_DIR]   the folder graph as found
"""
import os
import re
import sys

# What each folder may include besides itself. A folder may also include
# whatever those folders may include (the arrows chain), and core is open
# to all.
ARROWS = {
    "ossl": ["resolve"],
    "resolve": ["services", "formats"],
    "services": ["auth", "net", "core"],
    "auth": ["net", "core"],
    "net": ["core"],
    "formats": ["core"],
    "core": [],
}
# Files of provider/ itself that are not C (the build and the export list).
TOP_LEVEL = {"CMakeLists.txt", "hwcloud.map"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def allowed_from(folder):
    seen, todo = set(), [folder]
    while todo:
        for nxt in ARROWS[todo.pop()] + ["core"]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen | {folder}


def c_files(prov, problems):
    """(folder, name) of every C file; anything misplaced is a problem."""
    out = []
    for entry in sorted(os.listdir(prov)):
        path = os.path.join(prov, entry)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if entry not in ARROWS:
                    problems.append(f"provider/{entry}/{name}: {entry}/ is "
                                    f"not a layer ({', '.join(ARROWS)})")
                elif name.endswith((".c", ".h")):
                    out.append((entry, name))
                else:
                    problems.append(f"provider/{entry}/{name}: not a C file")
        elif entry not in TOP_LEVEL:
            problems.append(f"provider/{entry}: outside every layer folder")
    return out


def edges_of(prov, files, problems):
    """(from, to, 'file:line') for every include between two folders."""
    known = {f"{folder}/{name}" for folder, name in files}
    edges = []
    for folder, name in files:
        with open(os.path.join(prov, folder, name), encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                where = f"provider/{folder}/{name}:{lineno}"
                target = m.group(1)
                if target not in known:
                    problems.append(f"{where}: #include \"{target}\" names no "
                                    f"header of provider/ as folder/name.h")
                    continue
                to = target.split("/")[0]
                if to not in allowed_from(folder):
                    may = ", ".join(sorted(allowed_from(folder)))
                    problems.append(f"{where}: {folder} may not include "
                                    f"{target} (it may include: {may})")
                if to != folder:
                    edges.append((folder, to, where))
    return edges


def cycles(edges):
    """Each cycle between folders once, as a list of folders."""
    graph = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def main(argv):
    graph = "--graph" in argv
    args = [a for a in argv if a != "--graph"]
    prov = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "provider")
    problems = []
    files = c_files(prov, problems)
    edges = edges_of(prov, files, problems)
    for cyc in cycles(edges):
        steps = []
        for a, b in zip(cyc, cyc[1:]):
            where = next(w for x, y, w in edges if (x, y) == (a, b))
            steps.append(f"{a} -> {b} ({where})")
        problems.append("cycle between folders: " + ", ".join(steps))
    if graph:
        count = {}
        for a, b, _ in edges:
            count[(a, b)] = count.get((a, b), 0) + 1
        for (a, b), n in sorted(count.items()):
            print(f"{a} -> {b}: {n}")
    for p in problems:
        print(p)
    if problems:
        return 1
    if not graph:
        print(f"{len(files)} files in {len({f for f, _ in files})} layer "
              f"folders, {len(edges)} includes between folders, all down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
