// ForceAtlas2 off the page's thread: a fixed number of iterations from the given positions, so the
// same graph always settles in the same place (a time-boxed layout would not).
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";

export interface LayoutRequest {
  ids: string[];
  x: Float64Array;
  y: Float64Array;
  edges: [number, number, number][];  // source index, target index, weight
  iterations: number;
}
export interface LayoutAnswer { x: Float64Array; y: Float64Array }

self.onmessage = (message: MessageEvent<LayoutRequest>) => {
  const { ids, x, y, edges, iterations } = message.data;
  const graph = new Graph({ type: "undirected", multi: false });
  ids.forEach((id, index) => graph.addNode(id, { x: x[index], y: y[index] }));
  for (const [source, target, weight] of edges) {
    const a = ids[source];
    const b = ids[target];
    if (a === b) continue;
    if (graph.hasEdge(a, b)) graph.updateEdgeAttribute(a, b, "weight", (w: number) => w + weight);
    else graph.addEdge(a, b, { weight });
  }
  const settings = forceAtlas2.inferSettings(graph);
  forceAtlas2.assign(graph, {
    iterations,
    getEdgeWeight: "weight",
    settings: { ...settings, barnesHutOptimize: ids.length > 300, strongGravityMode: true, gravity: 0.5, scalingRatio: 10, edgeWeightInfluence: 0.5 },
  });
  const answer: LayoutAnswer = { x: new Float64Array(ids.length), y: new Float64Array(ids.length) };
  ids.forEach((id, index) => {
    answer.x[index] = graph.getNodeAttribute(id, "x");
    answer.y[index] = graph.getNodeAttribute(id, "y");
  });
  (self as unknown as Worker).postMessage(answer, [answer.x.buffer, answer.y.buffer]);
};
