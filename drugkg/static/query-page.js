// The query page of `drugkg serve`: YASGUI pointed at this server's /sparql, with a picker of
// the query catalogue's questions. Nothing is fetched from any other host.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("drugkg-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // The class and property autocompleters ask the LOV service on the internet: keep them off.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });

  // Result IRIs under drugkg's base open this server's page of the resource, in one click, shown
  // compactly (drug:baclofen, with the dumps' prefixes); other IRIs keep their own links.
  var base = config.base || "";
  var prefixes = config.prefixes || {};
  var namespaces = Object.keys(prefixes).sort(function (a, b) {
    return prefixes[b].length - prefixes[a].length;
  });
  function compact(iri) {
    for (var i = 0; i < namespaces.length; i++) {
      var ns = prefixes[namespaces[i]];
      var local = iri.substring(ns.length);
      if (iri.indexOf(ns) === 0 && local && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(local) && !/\.$/.test(local)) {
        return namespaces[i] + ":" + local;
      }
    }
    return null;
  }
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML.replace(/'/g, "&#39;").replace(/"/g, "&quot;");
  }
  var Table = Yasgui.Yasr.plugins.table;
  var originalLink = Table.prototype.getUriLinkFromBinding;
  Table.prototype.getUriLinkFromBinding = function (binding, queryPrefixes) {
    var iri = binding.value;
    if (!base || iri.indexOf(base) !== 0) {
      return originalLink.call(this, binding, queryPrefixes);
    }
    var local = "/" + iri.substring(base.length);
    var shown = compact(iri) || iri;
    return "<a class='iri drugkg-local' target='_self' href='" + escapeHtml(local) + "' title='" +
      escapeHtml(iri) + "'>" + escapeHtml(shown) + "</a>";
  };
  // Long cells are cut with an ellipsis that takes the first click to expand: keep cells whole,
  // so a click on an IRI follows it (the table's "Ellipse" switch still turns cutting on).
  var originalDraw = Table.prototype.draw;
  Table.prototype.draw = function () {
    if (this.persistentConfig && this.persistentConfig.isEllipsed === undefined) {
      this.persistentConfig.isEllipsed = false;
    }
    return originalDraw.apply(this, arguments);
  };

  var first = config.queries[0];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
    },
    persistenceId: null,
    yasqe: first ? { value: first.query } : {},
  });
  window.drugkgYasgui = yasgui;

  function openQuery(entry) {
    var tabs = yasgui.persistentConfig.getTabs();
    for (var i = 0; i < tabs.length; i++) {
      var tab = yasgui.getTab(tabs[i]);
      if (tab && tab.getName() === entry.title) {
        yasgui.selectTabId(tabs[i]);
        return tab;
      }
    }
    return yasgui.addTab(true, {
      name: entry.title,
      yasqe: { value: entry.query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    });
  }

  var picker = document.getElementById("picker");
  if (picker) {
    config.queries.forEach(function (entry) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = entry.title;
      button.title = entry.question;
      button.dataset.query = entry.name;
      button.addEventListener("click", function () {
        var tab = openQuery(entry);
        if (tab) { tab.show(); tab.query(); }
      });
      picker.appendChild(button);
    });
  }
})();
