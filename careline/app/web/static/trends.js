/* Marketing charts, drawn with Plotly's offline bundle (/static/vendor/plotly.min.js) from the page's
   JSON island. Text from posts (terms, brand names) reaches Plotly only as data, never as HTML. */
"use strict";
(function () {
  var t = JSON.parse(document.getElementById("trends-data").textContent);
  /* The mode bar (zoom, pan...) covers the data on a phone and a finger cannot hover: it is hidden on
     touch screens and narrow windows, and shown on hover elsewhere. Plotly 4's "Share chart..." button (it sends
     the chart to Plotly's cloud) is left out: nothing here leaves the box. */
  var touch = window.matchMedia("(hover: none), (max-width: 820px)").matches;
  var cfg = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage"], showSendToCloud: false,
             displayModeBar: touch ? false : "hover"};
  var base = {margin: {l: 48, r: 16, t: 8, b: 40}, height: 280, font: {family: "DejaVu Sans, sans-serif", size: 12},
              legend: {orientation: "h", y: -0.2}, paper_bgcolor: "#fff", plot_bgcolor: "#fff"};
  function layout(extra) { return Object.assign({}, base, extra || {}); }
  var days = t.daily.map(function (d) { return d.day; });
  /* Day axes: whole days only. With one day of data Plotly would zoom into that day and label
     its ticks with times ("23:59:59.999"), so the axis spans the day either side. */
  /* A day's bar is 80 % of a day wide (ms on a date axis): Plotly would size a lone day's bar to a hairline. */
  var DAY_BAR = 0.8 * 86400000;
  function dayAxis(list) {
    var axis = {type: "date", tickformat: "%d %b", dtick: 86400000, hoverformat: "%d %b %Y"};
    if (list.length === 1) {
      var d = new Date(list[0] + "T00:00:00Z").getTime();
      axis.range = [new Date(d - 86400000).toISOString().slice(0, 10), new Date(d + 86400000).toISOString().slice(0, 10)];
    } else if (list.length > 14) {
      delete axis.dtick;
    }
    return axis;
  }
  var filters = {brand: t.brand || "", platform: t.platform || "", days: String(t.days)};
  var drill = document.getElementById("drill");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  /* The posts behind a clicked point or bar, as text nodes only (post text is hostile). */
  function showPosts(label, query) {
    var q = new URLSearchParams(Object.assign({}, filters, query));
    Array.from(q.keys()).forEach(function (k) { if (!q.get(k)) q.delete(k); });
    drill.hidden = false;
    /* "Posts: Mastodon on 05 Dec", but "Posts in Spanish" (not "Posts: posts in Spanish"). */
    drill.querySelector("h2").textContent = /\bposts\b/i.test(label) ? label.charAt(0).toUpperCase() + label.slice(1)
      : "Posts: " + label;
    var list = drill.querySelector("ol"), status = drill.querySelector(".status");
    list.textContent = "";
    status.textContent = "Loading…";
    drill.querySelector("a.json").href = "/api/trends/posts?" + q.toString();
    fetch("/api/trends/posts?" + q.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = res.body.error ? res.body.error.message : "Could not load the posts."; return; }
        var b = res.body;
        status.textContent = b.total === 0 ? "No posts." : "Showing " + b.items.length + " of " + b.total + ", newest first.";
        b.items.forEach(function (p) {
          var li = el("li", undefined, "post");
          var head = el("p", undefined, "meta");
          head.appendChild(el("b", "@" + (p.handle || "?")));
          head.appendChild(document.createTextNode(" · " + p.brand + " on " + p.platform + " · " + p.created_at.slice(0, 16).replace("T", " ") +
                                                   " UTC · " + p.sentiment + " · " + p.intent.replace(/_/g, " ")));
          li.appendChild(head);
          li.appendChild(el("p", p.text, "text"));
          if (/^https?:\/\//.test(p.url)) {
            var a = el("a", "Open the post");
            a.href = p.url; a.rel = "noopener noreferrer"; a.target = "_blank";
            li.appendChild(a);
          }
          list.appendChild(li);
        });
        drill.scrollIntoView({behavior: "smooth", block: "start"});
      })
      .catch(function () { status.textContent = "Could not load the posts."; });
  }
  function onClick(id, handler) {
    var node = document.getElementById(id);
    node.on("plotly_click", function (ev) { if (ev.points && ev.points.length) handler(ev.points[0]); });
  }
  function day(point) { return String(point.x).slice(0, 10); }
  var colours = {negative: "#d64545", neutral: "#9aa4b2", positive: "#2f9e6e"};
  var drawn = 0;
  /* Each chart is one labelled image to a screen reader. The label moves from the chart's box (role="img" in
     the page, for a chart not drawn) to Plotly's drawing, because the box also holds the mode bar: buttons
     inside an image are hidden from a screen reader, yet they were 9 Tab stops per chart that stayed invisible
     until hovered. The mode bar stays a mouse tool (out of the Tab order, hidden from assistive technology);
     each chart's CSV link carries its data. Run after every (re)draw: Plotly redraws on resize. */
  function imageOnly(node) {
    var label = node.getAttribute("data-label") || node.getAttribute("aria-label") || "";
    node.setAttribute("data-label", label);
    node.removeAttribute("role");
    node.removeAttribute("aria-label");
    node.querySelectorAll("svg.main-svg").forEach(function (svg, i) {
      if (i === 0) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", label); }
      else { svg.setAttribute("aria-hidden", "true"); }
    });
    node.querySelectorAll(".modebar-container").forEach(function (m) { m.setAttribute("aria-hidden", "true"); });
    node.querySelectorAll(".modebar-btn").forEach(function (b) { b.setAttribute("tabindex", "-1"); });
  }
  function plot(id, traces, lay) {
    Plotly.newPlot(id, traces, layout(lay), cfg).then(function (node) {
      imageOnly(node);
      node.on("plotly_afterplot", function () { imageOnly(node); });
      drawn += 1;
      document.body.setAttribute("data-charts-drawn", String(drawn));
    });
  }

  plot("chart-sentiment", ["negative", "neutral", "positive"].map(function (s) {
    return {type: "bar", name: s, x: days, y: t.daily.map(function (d) { return d[s]; }), marker: {color: colours[s]},
            width: DAY_BAR};
  }), {barmode: "stack", xaxis: dayAxis(days)});
  onClick("chart-sentiment", function (p) {
    showPosts(p.data.name + " on " + day(p), {day: day(p), sentiment: p.data.name});
  });

  plot("chart-complaints", [{type: "scatter", mode: "lines+markers", name: "complaint rate %", x: days,
    y: t.daily.map(function (d) { return d.complaint_rate; }), line: {color: "#d64545"}}],
    {yaxis: {range: [0, 100], ticksuffix: "%"}, xaxis: dayAxis(days)});
  onClick("chart-complaints", function (p) { showPosts("complaints on " + day(p), {day: day(p), complaint: "1"}); });

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
  plot("chart-nps", npsTraces, {yaxis: {range: [-100, 100]}, shapes: shapes, annotations: annotations,
                                xaxis: dayAxis(days)});
  onClick("chart-nps", function (p) { showPosts("all posts on " + day(p), {day: day(p)}); });

  /* One colour per platform, the same as the queue's platform badges. */
  var platformColours = {x: "#111111", reddit: "#d93a00", bluesky: "#1185fe", mastodon: "#6364ff"};
  var platformNames = {x: "X", reddit: "Reddit", bluesky: "Bluesky", mastodon: "Mastodon"};
  var platforms = t.platform_totals.map(function (p) { return p.platform; });
  plot("chart-platforms", platforms.map(function (name) {
    var rows = t.platforms.filter(function (r) { return r.platform === name; });
    return {type: "bar", name: platformNames[name] || name, meta: name, x: rows.map(function (r) { return r.day; }),
            y: rows.map(function (r) { return r.total; }), marker: {color: platformColours[name] || "#9aa4b2"},
            width: DAY_BAR};
  }), {barmode: "stack", xaxis: dayAxis(days)});
  onClick("chart-platforms", function (p) {
    showPosts((platformNames[p.data.meta] || p.data.meta) + " on " + day(p), {day: day(p), platform: p.data.meta});
  });

  function share(p, s) { return p.total ? Math.round(1000 * p[s] / p.total) / 10 : 0; }
  plot("chart-platform-sentiment", ["negative", "neutral", "positive"].map(function (s) {
    return {type: "bar", orientation: "h", name: s, y: t.platform_totals.map(function (p) { return platformNames[p.platform] || p.platform; }),
            x: t.platform_totals.map(function (p) { return share(p, s); }),
            customdata: t.platform_totals.map(function (p) { return p[s]; }),
            hovertemplate: "%{y}: %{x}% " + s + " (%{customdata} mentions)<extra></extra>", marker: {color: colours[s]}};
  }), {barmode: "stack", xaxis: {range: [0, 100], ticksuffix: "%"}, yaxis: {automargin: true},
        legend: {orientation: "h", y: -0.2, traceorder: "normal"}});  // negative, neutral, positive: as the bars
  onClick("chart-platform-sentiment", function (p) {
    var platform = t.platform_totals[p.pointIndex].platform;
    showPosts(p.data.name + " on " + (platformNames[platform] || platform), {platform: platform, sentiment: p.data.name});
  });

  /* A rare language's bar is a few pixels high: a transparent full-height bar behind each one takes
     the click (and the hover) so every language is as easy to hit as the largest. */
  var langNames = t.languages.map(function (l) { return l.name || l.language; });
  var langMax = Math.max.apply(null, [1].concat(t.languages.map(function (l) { return l.total; })));
  plot("chart-languages", [
    {type: "bar", name: "mentions", x: langNames, y: t.languages.map(function (l) { return l.total; }),
     marker: {color: "#2f6fed"}, customdata: t.languages.map(function (l) { return l.complaint_rate; }),
     hovertemplate: "%{x}: %{y} mentions, %{customdata}% complaints<extra></extra>"},
    {type: "bar", name: "hit", x: langNames, y: t.languages.map(function () { return langMax; }),
     marker: {color: "rgba(0,0,0,0)"}, showlegend: false, hoverinfo: "skip"}],
    {xaxis: {type: "category"}, barmode: "overlay", showlegend: false});
  onClick("chart-languages", function (p) {
    var lang = t.languages[p.pointIndex].language;
    var name = t.languages[p.pointIndex].name || lang;
    showPosts("posts in " + (lang === "und" ? "an unknown language" : name), {language: lang});
  });

  /* Complaint topics: a link per topic (its posts as JSON without script); with script, the list below. */
  Array.prototype.forEach.call(document.querySelectorAll("#topics a.topic"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      showPosts("topic “" + a.textContent + "”", {topic: a.getAttribute("data-topic")});
    });
  });

  var hours = t.hourly.map(function (h) { return h.hour.replace("T", " ") + ":00"; });
  var volume = [{type: "scatter", mode: "lines", name: "mentions per hour", x: hours,
                 y: t.hourly.map(function (h) { return h.count; }), line: {color: "#2f6fed"}}];
  if (t.spikes.length) {
    volume.push({type: "scatter", mode: "markers", name: "spike", marker: {size: 11, color: "#d64545"},
                 x: t.spikes.map(function (s) { return s.at.replace("T", " ") + ":00"; }),
                 y: t.spikes.map(function (s) { return s.count; })});
  }
  plot("chart-volume", volume);
  onClick("chart-volume", function (p) {
    var hour = String(p.x).slice(0, 13).replace(" ", "T");
    showPosts("posts in the hour from " + hour.replace("T", " ") + ":00 UTC", {hour: hour, days: "8"});
  });

  /* Horizontal bars: an intent's full name fits beside its bars at any width (upright labels under
     narrow bars were cut and overlapped). The largest on top; in each pair "last 7 days" above
     "previous 7 days", as in the legend. */
  var intents = t.intents.map(function (i) { return i.intent.replace(/_/g, " "); });
  plot("chart-intents", [
    {type: "bar", orientation: "h", name: "last 7 days", y: intents, x: t.intents.map(function (i) { return i.count; }),
     marker: {color: "#2f6fed"}, hovertemplate: "%{y}: %{x} (last 7 days)<extra></extra>"},
    {type: "bar", orientation: "h", name: "previous 7 days", y: intents, x: t.intents.map(function (i) { return i.previous; }),
     marker: {color: "#c7d2fe"}, hovertemplate: "%{y}: %{x} (previous 7 days)<extra></extra>"}
  ], {barmode: "group", height: Math.max(280, 60 + 44 * intents.length),
      yaxis: {automargin: true, autorange: "reversed", type: "category"}, legend: {orientation: "h", y: -0.12, traceorder: "normal"}});
  onClick("chart-intents", function (p) {
    var intent = t.intents[p.pointIndex].intent;
    showPosts(intent.replace(/_/g, " ") + " (" + p.data.name + ")", {intent: intent, days: p.curveNumber === 0 ? "7" : "14"});
  });

  plot("chart-sov", [{type: "bar", orientation: "h",
    y: t.share_of_voice.map(function (s) { return s.brand; }), x: t.share_of_voice.map(function (s) { return s.count; }),
    marker: {color: t.share_of_voice.map(function (s) { return s.competitor ? "#9aa4b2" : "#2f6fed"; })}}],
    {yaxis: {automargin: true}});
  onClick("chart-sov", function (p) {
    var s = t.share_of_voice[p.pointIndex];
    showPosts(s.brand, s.competitor && !s.tracked ? {brand: s.name, term: s.brand} : {brand: s.name});
  });

  /* A spike alert links here with the hour in the fragment (#hour=YYYY-MM-DDTHH): open its posts, on
     load (a shared link) and when the alert's link on this page changes only the fragment. */
  function openHour() {
    var wanted = new URLSearchParams(location.hash.slice(1)).get("hour");
    if (wanted && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(wanted)) {
      showPosts("posts in the hour from " + wanted.replace("T", " ") + ":00 UTC", {hour: wanted, days: "8"});
    }
  }
  openHour();
  window.addEventListener("hashchange", openHour);
  Array.prototype.forEach.call(document.querySelectorAll("a.spike-posts"), function (a) {
    a.addEventListener("click", function () { if (a.hash === location.hash) { openHour(); } });  // no hashchange
  });
})();
