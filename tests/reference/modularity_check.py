#!/usr/bin/python3
"""Cross-checks relmap's communities with an independent implementation (NetworkX).
Usage: modularity_check.py GRAPH.json
1. NetworkX's modularity of relmap's own communities equals the modularity relmap reports.
2. relmap's modularity is within 2% of (or above) NetworkX's own Louvain communities' modularity."""
import json
import sys

import networkx as nx
from networkx.algorithms import community as nx_community

with open(sys.argv[1]) as graph_file:
    graph = json.load(graph_file)
g = nx.Graph()
g.add_nodes_from(d["id"] for d in graph["departments"])
for e in graph["edges"]:
    weight = e["requests"] + e["handoffs"]
    if weight > 0 and e["from"] != e["to"]:
        previous = g.get_edge_data(e["from"], e["to"], {"weight": 0})["weight"]
        g.add_edge(e["from"], e["to"], weight=previous + weight)
ours = [set(c["departments"]) for c in graph["communities"]]
recomputed = nx_community.modularity(g, ours, weight="weight")
theirs = nx_community.louvain_communities(g, weight="weight", seed=1)
their_modularity = nx_community.modularity(g, theirs, weight="weight")
print(f"relmap modularity {graph['modularity']:.6f} (NetworkX on the same communities: {recomputed:.6f}); "
      f"NetworkX Louvain {their_modularity:.6f} with {len(theirs)} communities")
ok = abs(recomputed - graph["modularity"]) < 1e-9 and graph["modularity"] >= 0.98 * their_modularity
sys.exit(0 if ok else 1)
