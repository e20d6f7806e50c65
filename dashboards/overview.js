/*
 * The overview in place (collector/overview.c writes the page; README, "HTTP interface").
 *
 * Filters and sorts the communes' rows as one types, by the rules the server applies to the
 * same query, and keeps the address bar's query in step so a reload or a shared link shows
 * the same rows. Every data-refresh seconds it fetches the same address and replaces the
 * page's data (headline, figures, rows, alerts, probes) in place, never while someone is in
 * one of its fields or has typed into a form there (an acknowledgement's note, a
 * maintenance window). Without this script the page still works: the filter form is a plain
 * GET, and a <noscript> reload refreshes it.
 */
"use strict";
(function () {
	var body = document.body;
	if (!body || !body.classList.contains("overview"))
		return;
	var form = document.getElementById("filter");
	var period = Math.max(2, parseInt(body.getAttribute("data-refresh"), 10) || 60) * 1000;
	var RETRY = 5000; /* someone is typing: look again this soon */
	var REGIONS = ["top", "kinds", "communes", "alerts-area", "probes"];
	var FIELDS = ["q", "status", "sev", "kind", "sort"];
	var busy = false;
	var counts = { refreshed: 0, skipped: 0 };

	/* As the server folds names for a search: no tones or marks, đ as d, lower case. */
	function fold(s) {
		return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
			.replace(/[đĐ]/g, "d").toLowerCase().trim();
	}

	function query() {
		var q = {};
		FIELDS.forEach(function (name) {
			var el = form && form.elements[name];
			q[name] = el ? el.value : "";
		});
		if (q.status === "all")
			q.status = "";
		return q;
	}

	/* The server's row_matches. */
	function matches(tr, q) {
		var status = tr.getAttribute("data-status");
		if (q.status === "warn" ? +tr.getAttribute("data-warn") === 0 : q.status && status !== q.status)
			return false;
		if (q.sev || q.kind) {
			var missed = (tr.getAttribute("data-miss") || "").split(" ").some(function (tok) {
				var i = tok.indexOf(":");
				return i > 0 && (!q.sev || tok.slice(0, i) === q.sev) &&
					(!q.kind || tok.slice(i + 1) === q.kind);
			});
			if (!missed)
				return false;
		}
		var key = fold(q.q);
		return !key || fold(tr.getAttribute("data-commune")).indexOf(key) >= 0;
	}

	function num(tr, name) {
		return +tr.getAttribute("data-" + name) || 0;
	}

	/* The server's by_status, by_name, by_fault and by_down. */
	var ORDER = {
		status: function (a, b) {
			return num(a, "rank") - num(b, "rank") || num(a, "order") - num(b, "order");
		},
		name: function (a, b) {
			return num(a, "order") - num(b, "order");
		},
		fault: function (a, b) {
			var x = num(a, "since"), y = num(b, "since");
			return (x === 0) - (y === 0) || x - y || ORDER.status(a, b);
		},
		down: function (a, b) {
			return num(b, "down") - num(a, "down") || ORDER.status(a, b);
		}
	};

	/* The address of this view: the query's fields as set, lang and refresh as they were. */
	function address(q) {
		var u = new URL(location.href);
		FIELDS.forEach(function (name) {
			var v = name === "q" ? q.q.trim() : q[name];
			if (v && !(name === "sort" && v === "status"))
				u.searchParams.set(name, v);
			else
				u.searchParams.delete(name);
		});
		return u;
	}

	function keepAddress(q) {
		var u = address(q);
		history.replaceState(null, "", u.pathname + u.search + u.hash);
		var other = document.querySelector("nav.lang a");
		if (other) { /* the other language keeps the view */
			var lang = new URL(other.href, location.href).searchParams.get("lang");
			u.searchParams.set("lang", lang);
			other.setAttribute("href", u.pathname + u.search);
		}
	}

	function apply(keep) {
		var tbody = document.querySelector("table.communes tbody");
		if (!tbody)
			return;
		var q = query(), shown = 0;
		var rows = Array.prototype.slice.call(tbody.rows);
		rows.sort(ORDER[q.sort] || ORDER.status);
		rows.forEach(function (tr) {
			var ok = matches(tr, q);
			tr.hidden = !ok;
			shown += ok ? 1 : 0;
			tbody.appendChild(tr);
		});
		var n = document.getElementById("shown"), none = document.getElementById("none-shown");
		if (n)
			n.textContent = String(shown);
		if (none)
			none.hidden = shown > 0;
		if (keep)
			keepAddress(q);
	}

	/* Tables read as cards on a phone: each cell labelled with its column's heading. */
	function label(root) {
		root.querySelectorAll("table.alerts, table.maint").forEach(function (t) {
			var heads = Array.prototype.map.call(t.querySelectorAll("thead th"), function (th) {
				return th.textContent.trim();
			});
			t.querySelectorAll("tbody tr").forEach(function (tr) {
				Array.prototype.forEach.call(tr.cells, function (td, i) {
					if (heads[i] && !td.hasAttribute("data-label"))
						td.setAttribute("data-label", heads[i]);
				});
			});
		});
	}

	function changed(el) {
		if (el.type === "hidden" || el.type === "submit" || el.type === "button")
			return false;
		if (el.tagName === "SELECT") {
			var def = 0;
			Array.prototype.forEach.call(el.options, function (o, i) {
				if (o.defaultSelected)
					def = i;
			});
			return el.options.length > 0 && el.selectedIndex !== def;
		}
		if (el.type === "checkbox" || el.type === "radio")
			return el.checked !== el.defaultChecked;
		return el.value !== el.defaultValue;
	}

	/* Someone is in a field, or has typed into a form the refresh would replace. */
	function typing() {
		var a = document.activeElement;
		if (a && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName))
			return true;
		var fields = document.querySelectorAll("input, select, textarea");
		for (var i = 0; i < fields.length; i++)
			if (!(form && form.contains(fields[i])) && changed(fields[i]))
				return true;
		return false;
	}

	function tell() {
		body.setAttribute("data-refreshed", String(counts.refreshed));
		body.setAttribute("data-skipped", String(counts.skipped));
	}

	/* Which <details> are open, by their place in each region: kept across a refresh. */
	function openDetails() {
		var open = {};
		REGIONS.forEach(function (id) {
			var r = document.getElementById(id);
			if (r)
				open[id] = Array.prototype.map.call(r.querySelectorAll("details"), function (d) {
					return d.open;
				});
		});
		return open;
	}

	function reopen(open) {
		Object.keys(open).forEach(function (id) {
			var r = document.getElementById(id);
			if (r)
				r.querySelectorAll("details").forEach(function (d, i) {
					if (open[id][i])
						d.open = true;
				});
		});
	}

	function replace(doc) {
		var open = openDetails();
		REGIONS.forEach(function (id) {
			var now = document.getElementById(id), next = doc.getElementById(id);
			if (now && next)
				now.replaceWith(document.importNode(next, true));
			else if (now)
				now.remove();
		});
		reopen(open);
		label(document);
		apply(false);
	}

	/* Fetches this view again and puts its data in place: 1 done, 0 skipped (someone is
	 * typing), -1 failed (the collector away, the session ended: the next one tries again). */
	function refresh() {
		if (busy)
			return Promise.resolve(0);
		if (typing()) {
			counts.skipped++;
			tell();
			return Promise.resolve(0);
		}
		busy = true;
		var u = address(query());
		return fetch(u.pathname + u.search, { credentials: "same-origin", cache: "no-store" })
			.then(function (r) {
				if (!r.ok || new URL(r.url).pathname !== location.pathname)
					throw new Error("not the overview");
				return r.text();
			})
			.then(function (html) {
				var doc = new DOMParser().parseFromString(html, "text/html");
				if (!doc.body || !doc.body.classList.contains("overview"))
					throw new Error("not the overview");
				if (typing()) { /* began while it was fetched */
					counts.skipped++;
					return 0;
				}
				replace(doc);
				counts.refreshed++;
				return 1;
			})
			.catch(function () {
				return -1;
			})
			.then(function (done) {
				busy = false;
				tell();
				return done;
			});
	}

	function schedule(ms) {
		setTimeout(function () {
			refresh().then(function (done) {
				schedule(done === 0 ? Math.min(period, RETRY) : period);
			});
		}, ms);
	}

	if (form) {
		form.addEventListener("input", function () {
			apply(true);
		});
		form.addEventListener("change", function () {
			apply(true);
		});
		form.addEventListener("submit", function (e) {
			e.preventDefault();
			apply(true);
		});
	}
	document.documentElement.classList.add("js");
	label(document);
	apply(false);
	tell();
	schedule(period);
	/* for the system tests and the curious: the same functions the page uses */
	window.hbmonOverview = { refresh: refresh, apply: apply, fold: fold };
})();
