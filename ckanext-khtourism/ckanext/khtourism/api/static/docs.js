// Renders the API's own OpenAPI document (openapi.json) as a readable page.
// Self-written and served by the portal: no CDN, no third-party code.
(function () {
  "use strict";
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function schemaText(schema) {
    if (!schema) { return ""; }
    if (schema.$ref) { return schema.$ref.split("/").pop(); }
    if (schema.enum) { return "one of: " + schema.enum.join(", "); }
    if (schema.type === "array") {
      return "comma-separated " + schemaText(schema.items);
    }
    var text = [].concat(schema.type || "any").join(" | ");
    ["minimum", "maximum", "exclusiveMinimum", "minLength", "maxLength", "pattern", "format"].forEach(function (key) {
      if (schema[key] !== undefined) { text += ", " + key + " " + schema[key]; }
    });
    return text;
  }
  function resolve(doc, ref) {
    return ref.replace(/^#\//, "").split("/").reduce(function (obj, key) { return obj[key]; }, doc);
  }
  function render(doc) {
    var content = document.getElementById("content");
    var toc = document.getElementById("toc");
    content.innerHTML = "";
    content.appendChild(el("p", {}, [doc.info.description]));
    content.appendChild(el("p", {}, ["Base URL: ", el("code", {}, [doc.servers[0].url])]));
    var operations = [];
    Object.keys(doc.paths).forEach(function (path) {
      ["get", "post", "delete"].forEach(function (method) {
        if (doc.paths[path][method]) { operations.push([path, method, doc.paths[path][method]]); }
      });
    });
    operations.forEach(function (entry, index) {
      var path = entry[0], method = entry[1], op = entry[2];
      var anchor = "op-" + index;
      toc.appendChild(el("a", {href: "#" + anchor}, [method.toUpperCase() + " " + path]));
      var rows = (op.parameters || []).map(function (p) {
        return el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in]),
          el("td", {}, [schemaText(p.schema)]), el("td", {}, [p.description || ""])]);
      });
      var responses = Object.keys(op.responses).map(function (code) {
        var response = op.responses[code];
        if (response.$ref) { response = resolve(doc, response.$ref); }
        var types = Object.keys(response.content || {}).join(", ");
        return el("tr", {}, [el("td", {}, [code]), el("td", {}, [response.description || ""]),
          el("td", {}, [types])]);
      });
      content.appendChild(el("section", {class: "op", id: anchor}, [
        el("h2", {}, [el("span", {class: "method"}, [method.toUpperCase()]), " ", el("code", {}, [path])]),
        el("p", {}, [op.summary || ""]),
        el("p", {}, [op.description || ""]),
        el("table", {}, [el("tr", {}, [el("th", {}, ["Parameter"]), el("th", {}, ["In"]),
          el("th", {}, ["Schema"]), el("th", {}, ["Description"])])].concat(rows)),
        el("table", {}, [el("tr", {}, [el("th", {}, ["Status"]), el("th", {}, ["Meaning"]),
          el("th", {}, ["Formats"])])].concat(responses))
      ]));
    });
    var schemas = doc.components.schemas;
    var details = el("details", {}, [el("summary", {}, ["Schemas (components)"]),
      el("pre", {}, [JSON.stringify(schemas, null, 2)])]);
    content.appendChild(el("h2", {}, ["Schemas"]));
    content.appendChild(details);
  }
  fetch("openapi.json", {headers: {Accept: "application/json"}})
    .then(function (response) { return response.json(); })
    .then(render)
    .catch(function (error) {
      document.getElementById("content").textContent = "Could not load openapi.json: " + error;
    });
})();
