/* The overview and asset maps: Leaflet over a bundled Natural Earth basemap (world-atlas
 * TopoJSON, converted with topojson-client), no tile server.
 *
 * Data comes from the page's <script type="application/json" id="map-data"> block.
 * Everything shown from it goes through textContent or DOM nodes, never innerHTML:
 * names and labels may come from the open web. */
(function () {
  "use strict";

  var container = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!container || !source || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FILL = { "new": 0.95, recent: 0.75, year: 0.5, old: 0.3, undated: 0.3 };

  function node(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) {
      el.textContent = String(text);
    }
    if (className) {
      el.className = className;
    }
    return el;
  }

  function link(href, text) {
    var a = node("a", text);
    a.setAttribute("href", href); // server-built paths ("/incidents/…"), never page text
    return a;
  }

  var map = L.map(container, {
    zoomSnap: 0.5,
    minZoom: 2,
    maxZoom: 12,
    worldCopyJump: false,
    attributionControl: true
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Basemap: Natural Earth, via world-atlas");
  map.createPane("basemap");
  map.getPane("basemap").style.zIndex = 250;
  map.createPane("lines");
  map.getPane("lines").style.zIndex = 380;

  fetch(container.getAttribute("data-basemap"))
    .then(function (response) {
      if (!response.ok) {
        throw new Error("basemap " + response.status);
      }
      return response.json();
    })
    .then(function (topology) {
      var countries = topojson.feature(topology, topology.objects.countries);
      L.geoJSON(countries, {
        pane: "basemap",
        interactive: false,
        style: { color: "#8d99a6", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 }
      }).addTo(map);
      container.setAttribute("data-basemap-ready", "true");
    })
    .catch(function () {
      container.setAttribute("data-basemap-ready", "failed");
    });

  var points = [];
  var sitePoints = [];

  function assetPopup(asset) {
    var box = node("div", null, "popup");
    box.appendChild(node("strong", asset.name));
    box.appendChild(node("div", asset.type.replace(/_/g, " ") + (asset.network ? " · on the export network" : ""), "muted"));
    box.appendChild(link(asset.url, "Asset page"));
    return box;
  }

  (data.assets || []).forEach(function (asset) {
    if (asset.line && asset.line.length > 1) {
      L.polyline(asset.line, { pane: "lines", color: "#6b7785", weight: 2, opacity: 0.7, interactive: false }).addTo(map);
    }
    var marker = L.circleMarker([asset.lat, asset.lon], {
      radius: asset.network ? 4 : 3,
      color: "#3f4a56",
      weight: 1,
      fillColor: asset.network ? "#6b7785" : "#aab3bd",
      fillOpacity: 0.9
    });
    marker.bindPopup(function () { return assetPopup(asset); });
    marker.bindTooltip(function () { return node("span", asset.name); });
    marker.addTo(map);
    points.push([asset.lat, asset.lon]);
  });

  var byIncident = {};
  var focusPopup = false;
  var siteMarkers = [];

  function sitePopup(site) {
    var box = node("div", null, "popup");
    box.appendChild(node("strong", site.name || "Incident site"));
    var list = node("ul", null, "popup-list");
    site.incidents.forEach(function (incident) {
      var item = node("li");
      var dot = node("span", null, "popup-dot recency-" + incident.recency);
      dot.style.backgroundColor = incident.colour;
      dot.setAttribute("aria-hidden", "true");
      item.appendChild(dot);
      var a = link(incident.url, incident.label);
      a.className = "popup-incident";
      a.setAttribute("data-incident", incident.id);
      item.appendChild(a);
      var where = incident.place && incident.place !== site.name ? " · " + incident.place : "";
      item.appendChild(node("span", where + " · " + incident.recency_label, "muted"));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  (data.sites || []).forEach(function (site) {
    var newest = site.incidents[0];
    var marker = L.circleMarker([site.lat, site.lon], {
      radius: 7 + Math.min(6, 2 * (site.incidents.length - 1)),
      color: "#1b1f24",
      weight: 1.5,
      fillColor: newest.colour,
      fillOpacity: FILL[newest.recency] || 0.5,
      className: "incident-marker"
    });
    marker.bindPopup(function () { return sitePopup(site); }, { maxWidth: 320 });
    marker.bindTooltip(function () {
      var n = site.incidents.length;
      return node("span", (site.name || "Incident site") + " · " + n + (n === 1 ? " incident" : " incidents"));
    });
    marker.addTo(map);
    siteMarkers.push([marker, site]);
    site.incidents.forEach(function (incident) {
      byIncident[incident.id] = { marker: marker, site: site };
    });
    sitePoints.push([site.lat, site.lon]);
  });

  // Frame the incident sites (the assets when there are none); an asset page centres
  // on its asset.
  var zoom = parseFloat(container.getAttribute("data-zoom") || "0");
  var frame = sitePoints.length ? sitePoints : points;
  if (zoom && points.length) {
    map.setView(points[0], zoom);
  } else if (frame.length === 1) {
    map.setView(frame[0], 6);
  } else if (frame.length) {
    map.fitBounds(L.latLngBounds(frame).pad(0.15), { maxZoom: 7 });
  } else {
    map.fitBounds([[38, 28], [54, 62]]);
  }

  // Markers are drawn once the map has a view: tag each site's shape with its incidents.
  siteMarkers.forEach(function (pair) {
    var shape = pair[0].getElement();
    if (shape) {
      shape.setAttribute("data-site", pair[1].incidents.map(function (i) { return i.id; }).join(" "));
    }
  });

  // The list's "Show on map" buttons: centre the site, open its popup, move focus into it.
  map.on("popupopen", function (event) {
    var first = event.popup.getElement().querySelector("a");
    if (first && focusPopup) {
      focusPopup = false;
      first.focus();
    }
  });
  document.querySelectorAll("button.show-on-map").forEach(function (button) {
    button.addEventListener("click", function () {
      var entry = byIncident[button.getAttribute("data-incident")];
      if (!entry) {
        return;
      }
      map.setView(entry.marker.getLatLng(), Math.max(map.getZoom(), 6));
      focusPopup = true;
      entry.marker.openPopup();
      container.scrollIntoView({ block: "nearest" });
    });
  });
  container.setAttribute("data-ready", "true");
})();
