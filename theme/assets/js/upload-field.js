// The buttons of CKAN's resource upload field, without inline handlers
// (templates/package/snippets/resource_upload_field.html; CSP script-src 'self').
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-khtourism-upload-action]');
  if (!button) {
    return;
  }
  var byId = function (id) { return document.getElementById(id); };
  var action = button.getAttribute('data-khtourism-upload-action');
  if (action === 'upload') {
    byId('resource-url-upload').checked = true;
    byId('field-resource-upload').click();
  } else if (action === 'link') {
    byId('resource-url-link').checked = true;
    byId('field-resource-url').focus();
  } else if (action === 'clear-upload') {
    byId('field-clear-upload').checked = true;
    byId('field-resource-upload').focus();
  } else if (action === 'remove-upload' || action === 'remove-url') {
    byId('resource-url-none').checked = true;
    byId(button.getAttribute('data-first-button')).focus();
    if (action === 'remove-upload') {
      // as CKAN's template: a fresh file input keeping the module's handlers
      var $ = window.jQuery;
      $('#field-resource-upload').replaceWith($('#field-resource-upload').val('').clone(true));
    } else {
      byId('field-resource-url').value = '';
    }
  }
});
