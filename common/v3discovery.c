#include "v3discovery.h"

#include <string.h>

netsnmp_pdu *v3_discovery_pdu(void)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (!pdu)
		return NULL;
	pdu->version = SNMP_VERSION_3;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityName = strdup(""); /* freed with the PDU */
	pdu->securityNameLen = 0;
	if (!pdu->securityName) {
		snmp_free_pdu(pdu);
		return NULL;
	}
	return pdu;
}
