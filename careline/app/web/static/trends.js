/* Marketing charts, drawn with Plotly's offline bundle (/static/vendor/plotly.min.js) from the page's
   JSON island. Text from posts (terms, brand names) reaches Plotly only as data, never as HTML. */
"use strict";
(function () {
  var t = JSON.parse(document.getElementById("trends-data").textContent);
  var cfg = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage"]};
  var base = {margin: {l: 48, r: 16, t: 8, b: 40}, height: 280, font: {family: "DejaVu Sans, sans-serif", size: 12},
              legend: {orientation: "h", y: -0.2}, paper_bgcolor: "#fff", plot_bgcolor: "#fff"};
  function layout(extra) { return Object.assign({}, base, extra || {}); }
  var days = t.daily.map(function (d) { return d.day; });
  var colours = {negative: "#d64545", neutral: "#9aa4b2", positive: "#2f9e6e"};
  var drawn = 0;
  function plot(id, traces, lay) {
    Plotly.newPlot(id, traces, layout(lay), cfg).then(function () {
      drawn += 1;
      document.body.setAttribute("data-charts-drawn", String(drawn));
    });
  }

  plot("chart-sentiment", ["negative", "neutral", "positive"].map(function (s) {
    return {type: "bar", name: s, x: days, y: t.daily.map(function (d) { return d[s]; }), marker: {color: colours[s]}};
  }), {barmode: "stack"});

  plot("chart-complaints", [{type: "scatter", mode: "lines+markers", name: "complaint rate %", x: days,
    y: t.daily.map(function (d) { return d.complaint_rate; }), line: {color: "#d64545"}}],
    {yaxis: {range: [0, 100], ticksuffix: "%"}});

  var zoneColours = {critical: "rgba(214,69,69,0.12)", improvement: "rgba(240,180,41,0.12)",
                     quality: "rgba(47,111,237,0.10)", excellence: "rgba(47,158,110,0.14)"};
  var shapes = t.nps_zones.map(function (z) {
    return {type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: z.from, y1: z.to, line: {width: 0},
            fillcolor: zoneColours[z.zone], layer: "below"};
  });
  var annotations = t.nps_zones.map(function (z) {
    return {xref: "paper", x: 1, xanchor: "right", yref: "y", y: (z.from + z.to) / 2, text: z.zone,
            showarrow: false, font: {size: 10, color: "#667085"}};
  });
  var npsTraces = [{type: "scatter", mode: "lines+markers", name: "estimated NPS", x: days,
                    y: t.daily.map(function (d) { return d.estimated_nps; }), line: {color: "#1d2330"}}];
  if (t.survey_nps.length) {
    npsTraces.push({type: "scatter", mode: "markers", name: "survey NPS", marker: {size: 10, symbol: "diamond", color: "#2f6fed"},
                    x: t.survey_nps.map(function (s) { return s.day; }), y: t.survey_nps.map(function (s) { return s.nps; })});
  }
  plot("chart-nps", npsTraces, {yaxis: {range: [-100, 100]}, shapes: shapes, annotations: annotations});

  var hours = t.hourly.map(function (h) { return h.hour.replace("T", " ") + ":00"; });
  var volume = [{type: "scatter", mode: "lines", name: "mentions per hour", x: hours,
                 y: t.hourly.map(function (h) { return h.count; }), line: {color: "#2f6fed"}}];
  if (t.spikes.length) {
    volume.push({type: "scatter", mode: "markers", name: "spike", marker: {size: 11, color: "#d64545"},
                 x: t.spikes.map(function (s) { return s.at.replace("T", " ") + ":00"; }),
                 y: t.spikes.map(function (s) { return s.count; })});
  }
  plot("chart-volume", volume);

  var intents = t.intents.map(function (i) { return i.intent.replace("_", " "); });
  plot("chart-intents", [
    {type: "bar", name: "last 7 days", x: intents, y: t.intents.map(function (i) { return i.count; }), marker: {color: "#2f6fed"}},
    {type: "bar", name: "previous 7 days", x: intents, y: t.intents.map(function (i) { return i.previous; }), marker: {color: "#c7d2fe"}}
  ], {barmode: "group"});

  plot("chart-sov", [{type: "bar", orientation: "h",
    y: t.share_of_voice.map(function (s) { return s.brand; }), x: t.share_of_voice.map(function (s) { return s.count; }),
    marker: {color: t.share_of_voice.map(function (s) { return s.competitor ? "#9aa4b2" : "#2f6fed"; })}}],
    {yaxis: {automargin: true}});
})();
