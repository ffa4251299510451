/* DAT-01: draws each chart of the dashboard from the same rows as the table under it
   (json_script "dashboard-charts"; no inline script under the Content-Security-Policy). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);

  function plotted(chart) {
    // The value columns drawn: those in the unit of the first value column (the table shows all).
    var idx = [];
    for (var i = 0; i < chart.units.length; i++) {
      if (chart.units[i] === chart.units[0]) { idx.push(i + 1); }
    }
    return idx;
  }

  function option(chart) {
    var categories = chart.rows.map(function (r) { return r[0]; });
    var cols = plotted(chart);
    if (chart.kind === "pie") {
      return {
        tooltip: { trigger: "item", renderMode: "richText" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ name: chart.columns[1], type: "pie", radius: ["35%", "65%"],
                   data: chart.rows.map(function (r) { return { name: r[0], value: r[1] }; }) }]
      };
    }
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value" },
      series: cols.map(function (c) {
        return { name: chart.columns[c], type: chart.kind === "line" ? "line" : "bar",
                 data: chart.rows.map(function (r) { return r[c]; }) };
      })
    };
  }

  var drawn = [];
  charts.forEach(function (chart) {
    var el = document.querySelector('[data-chart="' + chart.key + '"]');
    if (!el) { return; }
    var instance = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    instance.setOption(option(chart));
    drawn.push(instance);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });

  // The custom dates matter only for a custom range: picking one selects it.
  ["id_start", "id_end"].forEach(function (id) {
    var input = document.getElementById(id);
    var radio = document.getElementById("period-custom");
    if (input && radio) { input.addEventListener("change", function () { radio.checked = true; }); }
  });
}());
