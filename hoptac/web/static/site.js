// Light enhancements; every page works without them.
(function () {
  "use strict";

  // Article: a click on a highlighted passage opens its fact's card beside the text.
  function showFact(id) {
    document.querySelectorAll(".factcard.active, a.fact.active").forEach(function (el) { el.classList.remove("active"); });
    var card = document.getElementById("fact-" + id);
    if (!card) return;
    card.classList.add("active");
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    document.querySelectorAll('a.fact[data-facts~="' + id + '"]').forEach(function (el) { el.classList.add("active"); });
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("a.fact[data-facts]");
    if (!mark) return;
    event.preventDefault();
    var ids = mark.dataset.facts.split(" ");
    // Clicking again cycles through the facts read from the same words.
    var current = document.querySelector(".factcard.active");
    var at = current ? ids.indexOf(current.dataset.fact) : -1;
    var id = ids[(at + 1) % ids.length];
    history.replaceState(null, "", "#fact-" + id);
    showFact(id);
  });
  if (location.hash.indexOf("#fact-") === 0) showFact(location.hash.slice(6));

  // Networks: pan by dragging, zoom with the wheel, hover a node to light up its links.
  document.querySelectorAll(".network-box svg").forEach(function (svg) {
    var viewport = svg.querySelector("g.viewport");
    if (!viewport) return;
    var x = 0, y = 0, k = 1, drag = null;
    function apply() { viewport.setAttribute("transform", "translate(" + x + "," + y + ") scale(" + k + ")"); }
    function point(e) { var r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal; return [(e.clientX - r.left) * vb.width / r.width, (e.clientY - r.top) * vb.height / r.height]; }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = point(e), f = e.deltaY < 0 ? 1.2 : 1 / 1.2;
      x = p[0] - (p[0] - x) * f; y = p[1] - (p[1] - y) * f; k *= f; apply();
    }, { passive: false });
    svg.addEventListener("pointerdown", function (e) { if (e.target.closest("a")) return; drag = point(e); svg.setPointerCapture(e.pointerId); });
    svg.addEventListener("pointermove", function (e) { if (!drag) return; var p = point(e); x += p[0] - drag[0]; y += p[1] - drag[1]; drag = p; apply(); });
    svg.addEventListener("pointerup", function () { drag = null; });
    svg.querySelectorAll("g.node").forEach(function (node) {
      var id = node.dataset.id;
      node.addEventListener("mouseenter", function () {
        var near = {}; near[id] = true;
        svg.querySelectorAll("[data-source]").forEach(function (edge) {
          var on = edge.dataset.source === id || edge.dataset.target === id;
          edge.classList.toggle("hot", on); edge.classList.toggle("dim", !on);
          if (on) { near[edge.dataset.source] = true; near[edge.dataset.target] = true; }
        });
        svg.querySelectorAll("g.node").forEach(function (other) { other.classList.toggle("dim", !near[other.dataset.id]); });
      });
      node.addEventListener("mouseleave", function () { svg.querySelectorAll(".dim, .hot").forEach(function (el) { el.classList.remove("dim", "hot"); }); });
    });
  });
})();
