// Starts Swagger UI on the API docs page. Settings come from data- attributes, so the
// page needs no inline script (a strict Content-Security-Policy keeps working).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.dataset.csrfToken;
  var csrfHeader = root.dataset.csrfHeader;
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: true,
    // "Try it out" from a signed-in browser uses its session, which needs the CSRF
    // token on every unsafe request (a bearer token does not).
    requestInterceptor: function (request) {
      if (csrfToken && !/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
        request.headers[csrfHeader] = csrfToken;
      }
      return request;
    },
  });
})();
