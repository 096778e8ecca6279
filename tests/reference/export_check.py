#!/usr/bin/python3
"""The map's GraphML, CSV and DOT/SVG read back by independent readers (NetworkX, Python's csv,
Graphviz) hold exactly what the JSON map holds.
Usage: export_check.py RELMAP EVENTS_FILE [MAP OPTIONS...]   (e.g. --directory FILE)"""
import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import networkx as nx

relmap, events, map_options = sys.argv[1], sys.argv[2], sys.argv[3:]


def run_map(output_format):
    return subprocess.run([relmap, "--log-level", "warn", "map", "--events", events, "--format", output_format] + map_options,
                          check=True, capture_output=True, text=True).stdout


graph = json.loads(run_map("json"))
departments = {d["id"]: d for d in graph["departments"]}
edges = {(e["from"], e["to"]): e for e in graph["edges"]}
failures = []


def expect(what, ours, expected):
    if ours != expected:
        failures.append(f"{what}: {ours!r} != {expected!r}")


# GraphML, as Gephi and yEd would read it.
graphml = nx.read_graphml(io.StringIO(run_map("graphml")))
# Boost writes its own node ids; the department id is an attribute, its name the label Gephi and yEd show.
graphml = nx.relabel_nodes(graphml, {node: attributes.get("department") for node, attributes in graphml.nodes(data=True)})
expect("GraphML departments", set(graphml.nodes), set(departments))
expect("GraphML relationships", set(graphml.edges), set(edges))
for node, attributes in graphml.nodes(data=True):
    d = departments.get(node, {})
    for field in ("gives", "gets", "requests_made", "requests_received", "handoffs_in", "handoffs_out"):
        expect(f"GraphML {node}.{field}", attributes.get(field), d.get(field))
    expect(f"GraphML {node}.community", attributes.get("community"), d.get("community", -1))
    expect(f"GraphML {node}.label", attributes.get("label"), d.get("name"))
    expect(f"GraphML {node}.articulation_point", attributes.get("articulation_point"), d.get("articulation_point"))
    if abs(attributes.get("betweenness", -1) - d.get("betweenness", -2)) > 1e-6 * max(1.0, d.get("betweenness", 0)):
        failures.append(f"GraphML {node}.betweenness: {attributes.get('betweenness')} != {d.get('betweenness')}")
for a, b, attributes in graphml.edges(data=True):
    e = edges.get((a, b), {})
    for field in ("requests", "resolved", "declined", "dead_ends", "handoffs", "ping_pong", "andon", "bridge"):
        expect(f"GraphML {a}->{b}.{field}", attributes.get(field), e.get(field))
    expect(f"GraphML {a}->{b}.weight", attributes.get("weight"), e.get("requests", 0) + e.get("handoffs", 0))

# CSV: one row per relationship, every column of the JSON edge.
rows = list(csv.DictReader(io.StringIO(run_map("csv"))))
expect("CSV rows", len(rows), len(edges))
for row in rows:
    e = edges.get((row["from"], row["to"]), {})
    for field, value in row.items():
        expected = e.get(field)
        if isinstance(expected, bool):
            expected = "true" if expected else "false"
        elif isinstance(expected, (int, float)):
            value = float(value) if value else None
        elif expected is None:
            expected = ""
        expect(f"CSV {row['from']}->{row['to']}.{field}", value, expected)

# SVG through Graphviz: one node per department, one edge per relationship.
svg = ElementTree.fromstring(run_map("svg"))
namespace = {"svg": "http://www.w3.org/2000/svg"}
groups = svg.findall(".//svg:g", namespace)
titles = lambda kind: [g.find("svg:title", namespace).text for g in groups if g.get("class") == kind]
# A DOT id keeps a doubled backslash as two (the only way DOT can hold an id that ends in one).
expect("SVG departments", sorted(title.replace("\\\\", "\\") for title in titles("node")), sorted(departments))
labels = [text.text for g in groups if g.get("class") == "node" for text in g.findall("svg:text", namespace)]
expect("SVG labels", sorted(labels), sorted(d["name"] for d in departments.values()))
expect("SVG relationships", len(titles("edge")), len(edges))

print(f"{len(departments)} departments, {len(edges)} relationships; {len(failures)} difference(s)")
for failure in failures[:20]:
    print(failure)
sys.exit(1 if failures else 0)
