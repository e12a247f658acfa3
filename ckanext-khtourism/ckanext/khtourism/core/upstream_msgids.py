"""Strings of CKAN core and ckanext-harvest shown on the portal whose Vietnamese we supply.

CKAN merges the catalogue of each ``ITranslation`` plugin after its own, so an
entry of our catalogue translates a msgid of CKAN's templates too
(docs/architecture.md, "Translations"). CKAN 2.11's Vietnamese catalogue lacks
many strings of its current templates, and ckanext-harvest ships none. Listing
those msgids here keeps them in our catalogue when ``make i18n`` extracts and
merges (a msgid no file of ours uses would become obsolete); their Vietnamese is
in ``theme/i18n/vi/LC_MESSAGES/ckanext-khtourism.po``.

Texts that CKAN or ckanext-harvest write without ``_()`` are translated by our
copies of their templates instead (``theme/templates/snippets/follow_button.html``,
``theme/templates/source/new_source_form.html``).
"""

from __future__ import annotations

from ckanext.khtourism.core.messages import N_

# CKAN core (ckan/templates, ckanext/activity): missing from its vi catalogue, or wrong there
CKAN: tuple[str, ...] = (
    N_("Skip to main content"),
    N_("Account"),
    N_("Toggle navigation"),
    N_("Search Datasets..."),
    N_("Search datasets"),
    N_("Search data"),
    N_("E.g. environment"),
    N_("Submit"),
    N_("Breadcrumb"),
    N_("Profile settings"),
    N_("Type"),
    N_("This dataset has no data"),
    N_("Username or Email"),
    N_("All activity types"),
    N_("View this version"),
    N_(
        'You can use <a href="#markdown" title="Markdown quick reference" data-bs-toggle="popover" data-bs-content="%(markdown_tooltip)s" data-bs-html="true">Markdown formatting</a> here'
    ),
    N_(
        'The <i>data license</i> you select above only applies to the contents of any resource files that you add to this dataset. By submitting this form, you agree to release the <i>metadata</i> values that you enter into the form under the <a href="http://opendatacommons.org/licenses/odbl/1-0/">Open Database License</a>.'
    ),
    N_("{actor} updated the {dataset_type} {dataset}"),
    N_("{actor} created the {dataset_type} {dataset}"),
    N_("{actor} deleted the {dataset_type} {dataset}"),
    N_("{actor} signed up"),
    N_("{actor} started following {dataset}"),
    N_("{actor} started following {group}"),
    N_("{actor} started following {user}"),
    N_("{actor} updated their profile"),
    N_("{actor} updated the group {group}"),
    N_("{actor} updated the organization {organization}"),
    N_("{actor} added the tag {tag} to the dataset {dataset}"),
    N_("{actor} removed the tag {tag} from the dataset {dataset}"),
    # error pages: CKAN's messages of a 404/403, and its login hint (error_document_template)
    N_("Dataset not found or you have no permission to view it"),
    N_("You might need to login to access this page."),
    N_("Click here to login"),
)

# ckanext-harvest (templates, flash messages, auth refusals); no vi catalogue of its own.
# The update frequencies are shown through _(frequency.title()).
HARVEST: tuple[str, ...] = (
    N_("Harvest source not found"),
    N_("No jobs yet for this source"),
    N_("Harvest job not found"),
    N_("Harvest job stopped"),
    N_("Harvest will start shortly. Refresh this page for updates."),
    N_(
        'Cannot create new harvest jobs on inactive sources. First, please change the source status to "active".'
    ),
    N_("A harvest job has already been scheduled for this source"),
    N_("Harvest source cleared"),
    N_("Harvesting source successfully cleared"),
    N_("Harvesting source successfully inactivated"),
    N_("No content found"),
    N_("Error Summary"),
    N_("Document Error"),
    N_("Job Errors"),
    N_("User {0} not authorized to create harvest sources"),
    N_("User not authorized to create a job for source {0}"),
    N_("Only sysadmins can create harvest jobs for all sources"),
    N_("Only the sysadmins can create harvest objects"),
    N_("User {0} not authorized to delete harvest source {1}"),
    N_("User {0} not authorized to read harvest source {1}"),
    N_("User {0} not authorized to see jobs from source {1}"),
    N_("User {0} not authorized to list jobs for source {1}"),
    N_("User {0} not authorized to update harvest source {1}"),
    N_("Only sysadmins can clear history for all harvest jobs"),
    N_("Only sysadmins can reimport all harvest objects"),
    N_("Only sysadmins can run the pending harvest jobs"),
    N_("Only sysadmins can reindex all harvest sources"),
    N_("Harvest"),
    N_("Add Harvest Source"),
    N_("Count"),
    N_("Message"),
    N_("There are no datasets associated to this harvest source."),
    N_("There is no description for this harvest source"),
    N_("Last Harvest Job"),
    N_("View full job report"),
    N_("Admin"),
    N_("Dashboard"),
    N_("Jobs"),
    N_("Harvest Sources"),
    N_("Edit harvest source"),
    N_("Create Harvest Source"),
    N_("Create harvest source"),
    N_("Harvest sources"),
    N_(
        "Harvest sources allow importing remote metadata into this catalog. Remote sources can be other catalogs such as other CKAN instances, CSW servers or Web Accessible Folders (WAF) (depending on the actual harvesters enabled for this instance)."
    ),
    N_("This should include the http:// part of the URL"),
    N_("eg. A descriptive title"),
    N_("eg. my-dataset"),
    N_("Update frequency"),
    N_("Configuration"),
    N_("No organization"),
    N_("Active"),
    N_(
        "This will flag the source as deleted but keep all its datasets and previous jobs. Are you sure you want to delete this harvest source?"
    ),
    N_(
        "Warning: Apart from deleting this source, this command will remove all its datasets, as well as all previous job reports. Are you sure you want to continue?"
    ),
    N_("Delete source"),
    N_("Delete and clear source"),
    N_("read more"),
    N_("Popular"),
    N_("Name Descending"),
    N_("Search harvest sources..."),
    N_("Harvest Jobs"),
    N_("Job: "),
    N_("Started:"),
    N_("Not yet"),
    N_("Finished:"),
    N_("Job Report"),
    N_("Back to job list"),
    N_("No errors for this job"),
    N_("Only the 20 most frequent errors are shown"),
    N_("Document Errors"),
    N_("Error Report"),
    N_("documents with errors"),
    N_("Remote content"),
    N_("Local content"),
    N_("Manual"),
    N_("Monthly"),
    N_("Weekly"),
    N_("Biweekly"),
    N_("Daily"),
    N_("Always"),
    N_("Frequency"),
)


# The names of HTTP statuses, as werkzeug gives them to CKAN's error page ("404 Not Found"):
# translated in our copy of error_document_template.html
HTTP_STATUS_NAMES: tuple[str, ...] = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Conflict"),
    N_("Request Entity Too Large"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Service Unavailable"),
)
