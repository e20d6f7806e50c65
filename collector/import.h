/*
 * hbmon-collector import FILE...: past samples in the ingest format (one batch a line, as a
 * probe posts it) stored through the same ingest and RRD writer as live ones, with the alert
 * state machine stepped along the data's own time, so a site that migrates from another tool,
 * or the demo, starts with history, graphs, period figures and alert events. No mail is sent
 * for the past. The collector must be stopped (the data directory is locked).
 */
#ifndef HBMON_IMPORT_H
#define HBMON_IMPORT_H

struct collector;

/* argv[0] is "import". Exit status: 0; 1 when a batch or a sample was refused; 2 usage. */
int import_main(struct collector *c, int argc, char **argv);

#endif
