/*
 * The portal's maps (Leaflet + Leaflet.markercluster, vendored in theme/public/vendor/).
 *
 * Every element with class "khtourism-map" becomes a map; its data- attributes say what
 * it shows (templates: theme/templates/khtourism/snippets/*map*.html):
 *   data-mode          "results" (search pages, home page), "record", "picker" or "diff"
 *                      (a revision's location: features with properties.side before/after)
 *   data-tile-url      tile URL template; empty: no basemap (outline and markers only)
 *   data-tile-attribution, data-tile-attribution-url
 *   data-outline-url   the province outline (GeoJSON), always drawn
 *   data-icon-path     folder of Leaflet's marker images
 *   data-features      GeoJSON FeatureCollection: points become (clustered) markers,
 *                      polygons (a heritage area) are drawn as areas
 *   data-bbox          results: the current ext_bbox filter, the initial view
 *   data-boxes         picker: the province boxes deciding the order of typed numbers
 *   data-target        picker: id of the GeoJSON textarea that is submitted
 * No inline script: the page's Content-Security-Policy allows scripts from the portal only.
 */
(function () {
  "use strict";

  // the province (after the 2025 merger, without the Trường Sa zone): the default view
  var PROVINCE = [[11.3, 108.6], [12.86, 109.48]];
  // a map's first view is set at once, not animated from the province's: the page opens on
  // it, and "ready" (data-ready) means the view a visitor sees is the final one
  var INITIAL = { animate: false };

  function parseJSON(text, fallback) {
    if (!text) { return fallback; }
    try { return JSON.parse(text); } catch (error) { return fallback; }
  }

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function baseMap(element) {
    var data = element.dataset;
    L.Icon.Default.imagePath = data.iconPath || "";
    // maxZoom: the clusters need one even without a basemap
    var map = L.map(element, { scrollWheelZoom: false, minZoom: 5, maxZoom: 19 });
    map.fitBounds(PROVINCE);
    if (data.tileUrl) {
      // the attribution is a setting's text: escaped, linked when a URL is set
      var holder = document.createElement(data.tileAttributionUrl ? "a" : "span");
      if (data.tileAttributionUrl) { holder.href = data.tileAttributionUrl; }
      holder.textContent = data.tileAttribution || "";
      var attribution = holder.textContent ? holder.outerHTML : "";
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: attribution }).addTo(map);
    }
    map.attributionControl.setPrefix(false);
    if (data.outlineUrl) {
      fetch(data.outlineUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (outline) {
          if (!outline) { return; }
          L.geoJSON(outline, {
            interactive: false,
            style: { color: "#1b6a8a", weight: 2, fillColor: "#cfe8f1", fillOpacity: 0.35 }
          }).addTo(map).bringToBack();
        })
        .catch(function () { /* the markers still show */ });
    }
    return map;
  }

  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.href = properties.url || "#";
    title.textContent = properties.title || "";
    title.className = "khtourism-map-popup-title";
    box.appendChild(title);
    if (properties.type_label) {
      var kind = document.createElement("div");
      kind.className = "khtourism-map-popup-type";
      kind.textContent = properties.type_label;
      box.appendChild(kind);
    }
    return box;
  }

  function markerLayer(features, clustered) {
    var group = clustered && L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    (features.features || []).forEach(function (feature) {
      var geometry = feature.geometry || {};
      if (geometry.type !== "Point") { return; }
      var position = L.latLng(geometry.coordinates[1], geometry.coordinates[0]);
      var marker = L.marker(position, { title: (feature.properties || {}).title || "" });
      marker.bindPopup(popup(feature.properties || {}));
      group.addLayer(marker);
    });
    return group;
  }

  function areaLayer(features) {
    return L.geoJSON(features, {
      filter: function (feature) { return feature.geometry && feature.geometry.type !== "Point"; },
      style: { color: "#b5471b", weight: 2, fillOpacity: 0.2 }
    });
  }

  function bboxBounds(text) {
    var numbers = String(text || "").split(",").map(Number);
    if (numbers.length !== 4 || numbers.some(isNaN)) { return null; }
    return L.latLngBounds([numbers[1], numbers[0]], [numbers[3], numbers[2]]);
  }

  function bboxOf(bounds) {
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value) { return value.toFixed(5); }).join(",");
  }

  function resultsMap(element) {
    var map = baseMap(element);
    var features = parseJSON(element.dataset.features, { features: [] });
    var markers = markerLayer(features, true).addTo(map);
    var bbox = bboxBounds(element.dataset.bbox);
    if (bbox) {
      map.fitBounds(bbox, INITIAL);
    } else if (markers.getLayers().length) {
      map.fitBounds(markers.getBounds(), L.extend({ maxZoom: 14, padding: [20, 20] }, INITIAL));
    }
    var container = element.closest(".khtourism-map-block") || document;
    var searchArea = container.querySelector("[data-khtourism-search-area]");
    if (searchArea) {
      searchArea.addEventListener("click", function () {
        var url = new URL(window.location.href);
        url.searchParams.set("ext_bbox", bboxOf(map.getBounds()));
        url.searchParams.delete("page");
        window.location.assign(url.toString());
      });
    }
    var clearArea = container.querySelector("[data-khtourism-clear-area]");
    if (clearArea) {
      clearArea.addEventListener("click", function () {
        var url = new URL(window.location.href);
        url.searchParams.delete("ext_bbox");
        url.searchParams.delete("page");
        window.location.assign(url.toString());
      });
    }
    element.khtourismMap = map;
    element.dataset.markerCount = String(markers.getLayers().length);
    return map;
  }

  function recordMap(element) {
    var map = baseMap(element);
    var features = parseJSON(element.dataset.features, { features: [] });
    var area = areaLayer(features).addTo(map);
    var markers = markerLayer(features, false).addTo(map);
    if (area.getLayers().length) {
      map.fitBounds(area.getBounds(), L.extend({ padding: [20, 20] }, INITIAL));
    } else if (markers.getLayers().length) {
      map.setView(markers.getLayers()[0].getLatLng(), 14, INITIAL);
    }
    element.khtourismMap = map;
    element.dataset.markerCount = String(markers.getLayers().length);
    return map;
  }

  // a revision's location before and after the change: one marker (or area) per side,
  // each with a permanent label ("Before"/"After", in the page's language)
  function diffMap(element) {
    var map = baseMap(element);
    var features = parseJSON(element.dataset.features, { features: [] });
    var group = L.featureGroup().addTo(map);
    var colours = { before: "#8a1c1c", after: "#1b5e20" };
    (features.features || []).forEach(function (feature) {
      var properties = feature.properties || {};
      var side = properties.side === "before" ? "before" : "after";
      var layer;
      if (feature.geometry && feature.geometry.type === "Point") {
        var c = feature.geometry.coordinates;
        layer = L.circleMarker(L.latLng(c[1], c[0]), {
          radius: 9, color: colours[side], weight: 3, fillOpacity: side === "after" ? 0.7 : 0.25
        });
      } else {
        layer = L.geoJSON(feature, {
          style: { color: colours[side], weight: 2, fillOpacity: 0.15, dashArray: side === "before" ? "4 4" : null }
        });
      }
      layer.bindTooltip(properties.label || side, {
        permanent: true, direction: side === "before" ? "left" : "right",
        className: "khtourism-diff-label khtourism-diff-" + side
      });
      group.addLayer(layer);
    });
    if (group.getLayers().length) {
      map.fitBounds(group.getBounds(), L.extend({ maxZoom: 15, padding: [40, 40] }, INITIAL));
    }
    element.khtourismMap = map;
    element.dataset.markerCount = String(group.getLayers().length);
    return map;
  }

  // --- location picker -------------------------------------------------------------------

  function insideProvince(boxes, lon, lat) {
    return boxes.some(function (box) {
      return box.west <= lon && lon <= box.east && box.south <= lat && lat <= box.north;
    });
  }

  // "12.25, 109.19" or "109.19 12.25": {lat, lon, order} or {error}
  function readTyped(text, boxes) {
    var numbers = String(text || "").match(/-?\d+(?:\.\d+)?/g) || [];
    if (numbers.length !== 2) { return { error: "format" }; }
    var a = parseFloat(numbers[0]);
    var b = parseFloat(numbers[1]);
    if (insideProvince(boxes, b, a)) { return { lat: a, lon: b, order: "latlon" }; }
    if (insideProvince(boxes, a, b)) { return { lat: b, lon: a, order: "lonlat" }; }
    return { error: "outside", a: a, b: b };
  }

  function pickerMap(element) {
    var map = baseMap(element);
    var data = element.dataset;
    var boxes = parseJSON(data.boxes, []);
    var block = element.closest(".khtourism-picker") || document;
    var target = document.getElementById(data.target);
    var typed = block.querySelector("[data-khtourism-picker-input]");
    var apply = block.querySelector("[data-khtourism-picker-apply]");
    var message = block.querySelector("[data-khtourism-picker-message]");
    var marker = null;
    // without a basemap a close zoom shows nothing around the point
    var pickZoom = data.tileUrl ? 15 : 11;

    function say(text, isError) {
      if (!message) { return; }
      message.textContent = text;
      message.classList.toggle("text-danger", !!isError);
      message.classList.toggle("text-success", !isError);
    }

    function place(lat, lon, writeText) {
      var position = L.latLng(lat, lon);
      if (marker) {
        marker.setLatLng(position);
      } else {
        marker = L.marker(position, { draggable: true, title: data.markerTitle || "" }).addTo(map);
        marker.on("dragend", function () {
          var moved = marker.getLatLng();
          place(moved.lat, moved.lng, true);
        });
      }
      var lonR = Number(lon.toFixed(6));
      var latR = Number(lat.toFixed(6));
      if (target) {
        target.value = JSON.stringify({ type: "Point", coordinates: [lonR, latR] });
      }
      if (writeText && typed) { typed.value = latR.toFixed(5) + ", " + lonR.toFixed(5); }
      element.dataset.picked = latR + "," + lonR;
      if (!insideProvince(boxes, lonR, latR)) {
        say(format(data.msgOutside, { lat: latR, lon: lonR }), true);
      } else if (writeText) {
        say(format(data.msgPicked, { lat: latR.toFixed(5), lon: lonR.toFixed(5) }), false);
      }
    }

    function applyTyped() {
      if (!typed || !typed.value.trim()) { return; }
      var read = readTyped(typed.value, boxes);
      if (read.error === "format") { say(data.msgFormat, true); return; }
      if (read.error === "outside") { say(format(data.msgOutside, { lat: read.a, lon: read.b }), true); return; }
      place(read.lat, read.lon, false);
      map.setView([read.lat, read.lon], Math.max(map.getZoom(), pickZoom));
      var template = read.order === "latlon" ? data.msgReadLatlon : data.msgReadLonlat;
      say(format(template, { lat: read.lat, lon: read.lon }), false);
    }

    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, true); });
    if (apply) { apply.addEventListener("click", applyTyped); }
    if (typed) {
      typed.addEventListener("change", applyTyped);
      typed.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); applyTyped(); }
      });
    }
    // a point already in the GeoJSON box (editing, or a form sent back with errors)
    var current = parseJSON(target && target.value, null);
    if (current && current.type === "Point" && current.coordinates) {
      place(current.coordinates[1], current.coordinates[0], true);
      say("", false);
      map.setView([current.coordinates[1], current.coordinates[0]], pickZoom, INITIAL);
    }
    if (target) {
      target.addEventListener("change", function () {
        var edited = parseJSON(target.value, null);
        if (edited && edited.type === "Point" && edited.coordinates) {
          place(edited.coordinates[1], edited.coordinates[0], true);
        }
      });
    }
    element.khtourismMap = map;
    return map;
  }

  var MODES = { results: resultsMap, record: recordMap, picker: pickerMap, diff: diffMap };

  function start() {
    if (typeof L === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".khtourism-map"), function (element) {
      var make = MODES[element.dataset.mode] || resultsMap;
      make(element);
      element.dataset.ready = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
