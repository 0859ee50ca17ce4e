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
