/*
 * `hbmon-collector export readiness|inventory|events`: planners' files from the command line,
 * from what the collector stores (its configuration, inventory, RRD files and event store),
 * while it runs or not. The same sheets as the dashboard's (readiness_sheet.h), through
 * sheet.h: CSV, XLSX or JSON, in the reader's language.
 *
 *   readiness  each target over the period, judged from the stored series as /report does
 *   inventory  every device: commune, site, site type, name, class, model, serial number,
 *              sysName (what the device last said, identstore.h), address, contact and when
 *              data was last stored for it (its system.rrd's last update)
 *   events     the period's incidents (alerts firing, resolved) from the event store and the
 *              acknowledgements and maintenance windows of the activity log: time, commune,
 *              what happened, kind
 */
#ifndef HBMON_EXPORT_H
#define HBMON_EXPORT_H

struct collector;

/* argv[0] is "export". c: configuration, inventory, catalogues and the event store loaded.
 * Writes the file to --output or standard output. Exit status: 0, 1 (failed), 2 (usage). */
int export_main(struct collector *c, int argc, char **argv);

#endif
