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
  /* On a touch screen a swipe that started on a chart zoomed it (the page did not scroll, and the axes lost the
     data): there, no drag does anything to a chart, and a tap still opens a bar's posts. */
  if (touch) { base.dragmode = false; }
  function layout(extra) {
    var out = Object.assign({}, base, extra || {});
    if (touch) {
      ["xaxis", "yaxis"].concat(out.yaxis2 ? ["yaxis2"] : []).forEach(function (axis) {
        out[axis] = Object.assign({}, out[axis] || {}, {fixedrange: true});
      });
    }
    return out;
  }
  var calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var days = t.daily.map(function (d) { return d.day; });
  /* Days, hours and post times read in the team's zone (t.timezone), the one the counts are kept in. */
  var zoneParts = new Intl.DateTimeFormat("en-CA", {timeZone: t.timezone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  function teamTime(iso) {
    var part = {};
    zoneParts.formatToParts(new Date(iso)).forEach(function (x) { part[x.type] = x.value; });
    return part.year + "-" + part.month + "-" + part.day + " " + part.hour + ":" + part.minute;
  }
  /* Day axes: whole days only. With one day of data Plotly would zoom into that day and label
     its ticks with times ("23:59:59.999"), so the axis spans the day either side. */
  /* A day's bar is 80 % of a day wide (ms on a date axis): Plotly would size a lone day's bar to a hairline. */
  var DAY_BAR = 0.8 * 86400000;
  /* A date axis's position as Plotly reads it: wall-clock text, no zone. */
  function naive(ms) { return new Date(ms).toISOString().slice(0, 16).replace("T", " "); }
  function dayAxis(list) {
    var axis = {type: "date", tickformat: "%d %b", dtick: 86400000, hoverformat: "%d %b %Y"};
    /* Half a day of room either side (a whole one around a lone day): the first day's label sat on the axis
       corner, over the y axis's lowest label ("0", "-100"), and a line chart's first point on the edge. */
    if (!list.length) {
      /* No day with posts (a first day, a filter that matches nothing): the window asked for, ticks left to Plotly.
         With no range and a tick a day, Plotly drew its default year 2000: 367 labels in a black band. */
      var end = Date.now();
      axis.range = [naive(end - (Number(t.days) || 30) * 86400000), naive(end)];
      delete axis.dtick;
      return axis;
    }
    var first = new Date(list[0] + "T00:00:00Z").getTime(), last = new Date(list[list.length - 1] + "T00:00:00Z").getTime();
    var pad = list.length === 1 ? 86400000 : 43200000;
    axis.range = [naive(first - pad), naive(last + pad)];
    /* Up to two weeks, a tick on each day that has data and on no other: the padding's own days ("05 Dec"
       before a lone 06 Dec) sat on the axis corner, under the lowest y label ("0 %"). */
    delete axis.dtick;
    if (list.length <= 14) { axis.tickvals = list.slice(); }
    return axis;
  }
  var filters = {brand: t.brand || "", platform: t.platform || "", language: t.language || "", days: String(t.days)};
  var drill = document.getElementById("drill");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  /* The query of /api/trends/posts for a point: the page's filters, then the point's own, blanks left out. */
  function postsQuery(query) {
    var q = new URLSearchParams(Object.assign({}, filters, query));
    Array.from(q.keys()).forEach(function (k) { if (!q.get(k)) q.delete(k); });
    return q;
  }
  /* The posts behind a clicked point or bar, as text nodes only (post text is hostile). ``focus``: opened from
     the keyboard (a chart's data table), so the focus moves to the posts' heading, where a screen reader reads on. */
  var shown = 0;  /* which showPosts call the list belongs to: a slow answer to an earlier click adds nothing */
  function showPosts(label, query, focus) {
    var q = postsQuery(query), heading = drill.querySelector("h2"), mine = ++shown;
    drill.hidden = false;
    /* "Posts: Mastodon on 05 Dec", but "Posts in Spanish" (not "Posts: posts in Spanish"). */
    heading.textContent = /\bposts\b/i.test(label) ? label.charAt(0).toUpperCase() + label.slice(1)
      : "Posts: " + label;
    if (focus) { heading.focus(); }
    var list = drill.querySelector("ol"), status = drill.querySelector(".status"), more = drill.querySelector("button.more");
    list.textContent = "";
    status.textContent = "Loading…";
    more.hidden = true;
    drill.querySelector("a.json").href = "/api/trends/posts?" + q.toString();
    /* From a language's bar, the way to that market's own trends: every chart of its posts (the page's filter). */
    var market = drill.querySelector(".market");
    market.hidden = !query.language || query.language === (t.language || "");
    if (!market.hidden) {
      var page = new URLSearchParams({brand: filters.brand, platform: filters.platform, days: filters.days,
                                      language: query.language});
      var named = t.languages.filter(function (l) { return l.language === query.language; })[0];
      market.querySelector("a").href = "/trends?" + page.toString();
      market.querySelector("a").textContent = "every chart for " + (query.language === "und" ? "the unknown language"
        : (named && named.name) || query.language);
    }
    /* A page of posts from ``offset``, added under those shown; "Show more" asks for the next page. Posts keep
       arriving at the top, which moves the pages down: one already shown is not shown twice. */
    var seen = {};
    function load(offset) {
      q.set("offset", String(offset));
      fetch("/api/trends/posts?" + q.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
        .then(function (res) {
          if (mine !== shown) { return; }
          if (!res.ok) { status.textContent = res.body.error ? res.body.error.message : "Could not load the posts."; return; }
          var b = res.body;
          b.items.forEach(function (p) {
            if (!seen[p.key]) { seen[p.key] = true; list.appendChild(postItem(p)); }
          });
          var n = list.children.length;
          status.textContent = b.total === 0 ? "No posts." : "Showing " + n + " of " + b.total +
            ", newest first; times in " + t.timezone + ".";
          more.hidden = n >= b.total || !b.items.length;
          more.onclick = function () { more.hidden = true; load(offset + b.items.length); };
          if (offset === 0) { drill.scrollIntoView({behavior: calm ? "auto" : "smooth", block: "start"}); }
        })
        .catch(function () { if (mine === shown) { status.textContent = "Could not load the posts."; } });
    }
    load(0);
  }
  function postItem(p) {
    var li = el("li", undefined, "post");
    var head = el("p", undefined, "meta");
    head.appendChild(el("b", "@" + (p.handle || "?")));
    head.appendChild(document.createTextNode(" · " + p.brand + " on " + p.platform + " · " + teamTime(p.created_at) +
                                             " · " + p.sentiment + " · " + p.intent.replace(/_/g, " ")));
    li.appendChild(head);
    li.appendChild(el("p", p.text, "text"));
    if (/^https?:\/\//.test(p.url)) {
      var a = el("a", "Open the post");
      a.href = p.url; a.rel = "noopener noreferrer"; a.target = "_blank";
      li.appendChild(a);
    }
    return li;
  }
  function onClick(id, handler) {
    var node = document.getElementById(id);
    node.on("plotly_click", function (ev) { if (ev.points && ev.points.length) handler(ev.points[0]); });
  }
  function day(point) { return String(point.x).slice(0, 10); }
  /* Each chart's numbers as a table under it ("Data", closed at first), every count a link to the posts its bar
     or point opens: the drill-down by keyboard and screen reader, where a bar takes only a pointer. Built from the
     arrays the traces are drawn from, so the two cannot disagree; on a phone the table scrolls sideways in itself
     and takes the keyboard (tabindex=0). ``body``: rows of a header then cells, each a value or a posts() link. */
  function posts(text, drill) { return {text: text, label: drill[0], query: drill[1]}; }
  /* A count of 0 is text: a link to no posts would be one more Tab stop for nothing. */
  function counted(n, drill) { return n ? posts(n, drill) : n; }
  function dataTable(chartId, head, body) {
    var figure = document.getElementById(chartId).closest("figure");
    var details = el("details", undefined, "chart-data"), wrap = el("div", undefined, "scroll");
    var table = el("table", undefined, "grid");
    details.appendChild(el("summary", "Data"));
    table.tabIndex = 0;
    table.appendChild(el("caption", figure.querySelector("figcaption").firstChild.textContent.trim(), "sr-only"));
    var top = table.createTHead().insertRow(), rows = table.createTBody();
    head.forEach(function (h) { var th = el("th", h); th.scope = "col"; top.appendChild(th); });
    body.forEach(function (cells) {
      var row = rows.insertRow();
      cells.forEach(function (c, i) {
        var cell = el(i ? "td" : "th");
        if (!i) { cell.scope = "row"; }
        cell.appendChild(c !== null && typeof c === "object" ? postsLink(c)
                         : document.createTextNode(c === null ? "\u2014" : String(c)));
        row.appendChild(cell);
      });
    });
    wrap.appendChild(table);
    details.appendChild(wrap);
    figure.appendChild(details);
  }
  function postsLink(c) {
    var a = el("a", String(c.text));
    a.href = "/api/trends/posts?" + postsQuery(c.query).toString();
    a.setAttribute("aria-label", c.label + ": " + c.text);
    a.addEventListener("click", function (ev) { ev.preventDefault(); showPosts(c.label, c.query, true); });
    return a;
  }
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
  /* A count axis of a few posts ticks whole numbers: for one post Plotly ticked 0, 0.2, 0.4 ... 1. Stacked bars count
     their sum; an axis with a range or a unit of its own (a percentage, NPS) is left alone. */
  function wholeCounts(traces, lay) {
    lay = lay || {};
    var horizontal = traces.some(function (tr) { return tr.orientation === "h"; });
    var name = horizontal ? "xaxis" : "yaxis", axis = lay[name] || {};
    if (axis.range || axis.ticksuffix || axis.type === "date") { return lay; }
    var sums = {};
    traces.forEach(function (tr) {
      (horizontal ? tr.x : tr.y || []).forEach(function (v, i) {
        if (typeof v !== "number") { return; }
        sums[i] = lay.barmode === "stack" ? (sums[i] || 0) + v : Math.max(sums[i] || 0, v);
      });
    });
    var top = Math.max.apply(null, [0].concat(Object.keys(sums).map(function (k) { return sums[k]; })));
    if (top >= 5) { return lay; }
    var whole = {};
    whole[name] = Object.assign({}, axis, {dtick: 1, tickformat: "d", rangemode: "tozero"});
    return Object.assign({}, lay, whole);
  }
  function plot(id, traces, lay) {
    Plotly.newPlot(id, traces, layout(wholeCounts(traces, lay)), cfg).then(function (node) {
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
  function sentimentPosts(s, d) { return [s + " on " + d, {day: d, sentiment: s}]; }
  onClick("chart-sentiment", function (p) { showPosts.apply(null, sentimentPosts(p.data.name, day(p))); });
  dataTable("chart-sentiment", ["Day", "negative", "neutral", "positive"], t.daily.map(function (d) {
    return [d.day].concat(["negative", "neutral", "positive"].map(function (s) {
      return counted(d[s], sentimentPosts(s, d.day));
    }));
  }));

  plot("chart-complaints", [{type: "scatter", mode: "lines+markers", name: "complaint rate %", x: days,
    y: t.daily.map(function (d) { return d.complaint_rate; }), line: {color: "#d64545"}}],
    {yaxis: {range: [0, 100], ticksuffix: "%"}, xaxis: dayAxis(days)});
  function complaintPosts(d) { return ["complaints on " + d, {day: d, complaint: "1"}]; }
  onClick("chart-complaints", function (p) { showPosts.apply(null, complaintPosts(day(p))); });
  dataTable("chart-complaints", ["Day", "Complaint rate %", "Mentions"], t.daily.map(function (d) {
    return [d.day, counted(d.complaint_rate, complaintPosts(d.day)), d.total];
  }));

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
  function dayPosts(d) { return ["all posts on " + d, {day: d}]; }
  onClick("chart-nps", function (p) { showPosts.apply(null, dayPosts(day(p))); });
  var surveyOn = {};
  t.survey_nps.forEach(function (s) { surveyOn[s.day] = s; });
  dataTable("chart-nps", ["Day", "Estimated NPS", "People", "Survey NPS (answers)"], t.daily.map(function (d) {
    var survey = surveyOn[d.day];
    return [d.day, d.estimated_nps === null ? null : posts(d.estimated_nps, dayPosts(d.day)),
            d.people, survey ? survey.nps + " (" + survey.answers + ")" : null];
  }));

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
  function platformDayPosts(name, d) { return [(platformNames[name] || name) + " on " + d, {day: d, platform: name}]; }
  onClick("chart-platforms", function (p) { showPosts.apply(null, platformDayPosts(p.data.meta, day(p))); });
  dataTable("chart-platforms", ["Day"].concat(platforms.map(function (n) { return platformNames[n] || n; })),
    days.map(function (d) {
      return [d].concat(platforms.map(function (name) {
        var row = t.platforms.filter(function (r) { return r.platform === name && r.day === d; })[0];
        return counted(row ? row.total : 0, platformDayPosts(name, d));
      }));
    }));

  /* Each sentiment's share of a group's mentions (a platform's, a language's) as stacked horizontal bars: a
     segment opens its posts, and the Data table holds the same shares with their counts. ``o.bars`` label the
     bars, ``o.rows`` the table's rows under ``o.column``; ``o.posts(group, sentiment)`` is what a segment opens. */
  var SENTIMENTS = ["negative", "neutral", "positive"];
  function share(p, s) { return p.total ? Math.round(1000 * p[s] / p.total) / 10 : 0; }
  function sentimentShares(id, groups, o) {
    plot(id, SENTIMENTS.map(function (s) {
      return {type: "bar", orientation: "h", name: s, y: o.bars, x: groups.map(function (g) { return share(g, s); }),
              customdata: groups.map(function (g) { return g[s]; }),
              hovertemplate: "%{y}: %{x}% " + s + " (%{customdata} mentions)<extra></extra>", marker: {color: colours[s]}};
    }), {barmode: "stack", xaxis: {range: [0, 100], tickvals: [0, 25, 50, 75, 100], ticktext: ["0%", "25%", "50%", "75%", "100%"]},
         margin: Object.assign({}, base.margin, {r: 28}) /* room for "100%" at the edge: Plotly dropped it */, yaxis: o.yaxis,
          legend: {orientation: "h", y: -0.2, traceorder: "normal"},  // negative, neutral, positive: as the bars
          /* A fixed height left fifteen languages' bars 13 px high on a phone: too thin to tap or read. */
          height: Math.max(280, 110 + 30 * groups.length)});
    onClick(id, function (p) { showPosts.apply(null, o.posts(groups[p.pointIndex], p.data.name)); });
    dataTable(id, [o.column].concat(SENTIMENTS.map(function (s) { return s + " % (mentions)"; })),
      groups.map(function (g, i) {
        return [o.rows[i]].concat(SENTIMENTS.map(function (s) {
          return counted(g[s] && share(g, s) + "% (" + g[s] + ")", o.posts(g, s));
        }));
      }));
  }

  var platformLabels = t.platform_totals.map(function (p) { return platformNames[p.platform] || p.platform; });
  sentimentShares("chart-platform-sentiment", t.platform_totals, {
    bars: platformLabels, column: "Platform", rows: platformLabels, yaxis: {automargin: true},
    posts: function (p, s) {
      return [s + " on " + (platformNames[p.platform] || p.platform), {platform: p.platform, sentiment: s}];
    }});

  /* A rare language's bar is a few pixels high: a transparent full-height bar behind each one takes
     the click (and the hover) so every language is as easy to hit as the largest. */
  var langNames = t.languages.map(function (l) { return l.name || l.language; });
  var langMax = Math.max.apply(null, [1].concat(t.languages.map(function (l) { return l.total; })));
  /* Horizontal, as the intents: a language's name fits beside its bar at any width (upright names under the bars
     were cut to "Englis" on a phone), the largest on top. */
  plot("chart-languages", [
    {type: "bar", orientation: "h", name: "mentions", y: langNames, x: t.languages.map(function (l) { return l.total; }),
     marker: {color: "#2f6fed"}, customdata: t.languages.map(function (l) { return l.complaint_rate; }),
     hovertemplate: "%{y}: %{x} mentions, %{customdata}% complaints<extra></extra>"},
    {type: "bar", orientation: "h", name: "hit", y: langNames, x: t.languages.map(function () { return langMax; }),
     marker: {color: "rgba(0,0,0,0)"}, showlegend: false, hoverinfo: "skip"}],
    {yaxis: {type: "category", automargin: true, autorange: "reversed"}, barmode: "overlay", showlegend: false,
     height: Math.max(280, 60 + 28 * langNames.length)});
  function languagePosts(l) {
    var name = l.language === "und" ? "an unknown language" : l.name || l.language;
    return ["posts in " + name, {language: l.language}];
  }
  onClick("chart-languages", function (p) { showPosts.apply(null, languagePosts(t.languages[p.pointIndex])); });
  dataTable("chart-languages", ["Language", "Mentions", "Complaint rate %"], t.languages.map(function (l, i) {
    return [langNames[i], counted(l.total, languagePosts(l)), l.complaint_rate];
  }));

  /* Each market's mood, as the platforms' above, each language labelled with its count so that 100 % of two
     posts does not read like 100 % of two thousand. */
  sentimentShares("chart-language-sentiment", t.languages, {
    bars: t.languages.map(function (l, i) { return langNames[i] + " (" + l.total + ")"; }), column: "Language",
    rows: langNames, yaxis: {automargin: true, autorange: "reversed"},
    posts: function (l, s) { return [s + " " + languagePosts(l)[0], {language: l.language, sentiment: s}]; }});

  /* Complaint topics: a link per topic (its posts as JSON without script); with script, the list below. */
  Array.prototype.forEach.call(document.querySelectorAll("#topics a.topic"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      showPosts("topic “" + a.textContent + "”", {topic: a.getAttribute("data-topic")});
    });
  });

  /* The chart's x: the team's wall-clock hour (the hour the clocks go back is plotted twice at one x); its table
     keeps the zone's abbreviation on those two ("01:00 BST", "01:00 GMT"). */
  var hours = t.hourly.map(function (h) { return h.label.slice(0, 16); });
  var hourLabel = {};
  t.hourly.forEach(function (h) { hourLabel[h.hour] = h.label; });
  var volume = [{type: "scatter", mode: "lines", name: "mentions per hour", x: hours,
                 y: t.hourly.map(function (h) { return h.count; }), line: {color: "#2f6fed"}}];
  if (t.spikes.length) {
    volume.push({type: "scatter", mode: "markers", name: "spike", marker: {size: 11, color: "#d64545"},
                 x: t.spikes.map(function (s) { return s.label.slice(0, 16); }),
                 y: t.spikes.map(function (s) { return s.count; })});
  }
  /* Ticks as the day charts write a day ("06 Dec"), with the hour where it is not midnight. */
  plot("chart-volume", volume, {xaxis: {type: "date", hoverformat: "%d %b %H:%M", tickformatstops: [
    {dtickrange: [null, 43200000], value: "%H:%M<br>%d %b"}, {dtickrange: [43200001, null], value: "%d %b"}]}});
  /* An hour is asked for by its UTC key (what the counts and the posts' times are stored in), shown in the team's. */
  function hourPosts(hour) {
    return ["posts in the hour from " + (hourLabel[hour] || hour.replace("T", " ") + ":00 UTC"), {hour: hour, days: "8"}];
  }
  onClick("chart-volume", function (p) {
    showPosts.apply(null, hourPosts(p.curveNumber === 0 ? t.hourly[p.pointIndex].hour : t.spikes[p.pointIndex].at));
  });
  var spikeAt = {};
  t.spikes.forEach(function (s) { spikeAt[s.at] = true; });
  dataTable("chart-volume", ["Hour", "Mentions", "Spike"], t.hourly.map(function (h, i) {
    return [h.label, counted(h.count, hourPosts(h.hour)), spikeAt[h.hour] ? "spike" : ""];
  }));

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
  function intentPosts(intent, recent) {
    return [intent.replace(/_/g, " ") + " (" + (recent ? "last 7 days" : "previous 7 days") + ")",
            recent ? {intent: intent, days: "7"} : {intent: intent, days: "14", before: t.intents_since}];
  }
  onClick("chart-intents", function (p) {
    showPosts.apply(null, intentPosts(t.intents[p.pointIndex].intent, p.curveNumber === 0));
  });
  dataTable("chart-intents", ["Intent", "Last 7 days", "Previous 7 days"], t.intents.map(function (i, n) {
    return [intents[n], counted(i.count, intentPosts(i.intent, true)),
            counted(i.previous, intentPosts(i.intent, false))];
  }));

  plot("chart-sov", [{type: "bar", orientation: "h",
    y: t.share_of_voice.map(function (s) { return s.brand; }), x: t.share_of_voice.map(function (s) { return s.count; }),
    marker: {color: t.share_of_voice.map(function (s) { return s.competitor ? "#9aa4b2" : "#2f6fed"; })}}],
    {yaxis: {automargin: true}});
  function voicePosts(s) {
    return [s.brand, s.competitor && !s.tracked ? {brand: s.name, term: s.brand} : {brand: s.name}];
  }
  onClick("chart-sov", function (p) { showPosts.apply(null, voicePosts(t.share_of_voice[p.pointIndex])); });
  dataTable("chart-sov", ["Brand", "Mentions"], t.share_of_voice.map(function (s) {
    return [s.brand, counted(s.count, voicePosts(s))];
  }));

  /* A spike alert links here with the hour in the fragment (#hour=YYYY-MM-DDTHH): open its posts, on
     load (a shared link) and when the alert's link on this page changes only the fragment. */
  function openHour() {
    var wanted = new URLSearchParams(location.hash.slice(1)).get("hour");
    if (wanted && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(wanted)) {
      showPosts.apply(null, hourPosts(wanted));
    }
  }
  openHour();
  window.addEventListener("hashchange", openHour);
  Array.prototype.forEach.call(document.querySelectorAll("a.spike-posts"), function (a) {
    a.addEventListener("click", function () { if (a.hash === location.hash) { openHour(); } });  // no hashchange
  });
})();
