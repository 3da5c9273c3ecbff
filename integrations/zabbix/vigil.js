// Vigil webhook media type for Zabbix 6.0+ (the `script` of vigil_media_type.yaml, kept identical).
// Zabbix runs it in Duktape (ES5): `value` is the media type's parameters as JSON; HttpRequest and
// Zabbix.log are Zabbix's. It posts one event to Vigil's /event/push/alert/zabbix (docs/sources.md).
var Vigil = {
  // A macro Zabbix could not resolve stays as its own text, e.g. "{EVENT.UPDATE.ACTION}".
  clean: function (text) {
    if (typeof text !== 'string') return '';
    return /^\{[A-Z0-9_.]+\}$/.test(text) ? '' : text;
  },

  // {EVENT.TAGSJSON}: [{"tag": "...", "value": "..."}]; anything else gives no tags.
  tags: function (json) {
    var list;
    try {
      list = JSON.parse(json);
    } catch (error) {
      return [];
    }
    if (!(list instanceof Array)) return [];
    var tags = [];
    for (var i = 0; i < list.length; i++) {
      if (list[i] && typeof list[i].tag === 'string') {
        tags.push({ tag: list[i].tag, value: typeof list[i].value === 'string' ? list[i].value : '' });
      }
    }
    return tags;
  },

  payload: function (p) {
    var c = Vigil.clean;
    var body = {
      event_id: c(p.event_id),
      event_value: c(p.event_value),
      event_name: c(p.event_name),
      event_nseverity: c(p.event_nseverity),
      event_severity: c(p.event_severity),
      event_tags: Vigil.tags(c(p.event_tags)),
      event_opdata: c(p.event_opdata),
      event_update_status: c(p.event_update_status),
      event_update_action: c(p.event_update_action),
      event_update_message: c(p.event_update_message),
      event_update_user: c(p.event_update_user),
      event_ack_status: c(p.event_ack_status),
      trigger_id: c(p.trigger_id),
      trigger_description: c(p.trigger_description),
      host_name: c(p.host_name),
      host_host: c(p.host_host),
      host_ip: c(p.host_ip),
      alert_subject: c(p.alert_subject),
      alert_message: c(p.alert_message)
    };
    var zabbixUrl = c(p.zabbix_url).replace(/\/+$/, '');
    if (zabbixUrl !== '' && body.trigger_id !== '' && body.event_id !== '') {
      body.event_url = zabbixUrl + '/tr_events.php?triggerid=' + encodeURIComponent(body.trigger_id) +
        '&eventid=' + encodeURIComponent(body.event_id);
    }
    return body;
  },

  send: function (p) {
    var url = c0(p.URL);
    if (url === '') throw 'The URL parameter is empty: paste the integration push URL from Vigil.';
    var request = new HttpRequest();
    request.addHeader('Content-Type: application/json');
    var proxy = c0(p.HTTPProxy);
    if (proxy !== '') request.setProxy(proxy);
    var response = request.post(url, JSON.stringify(Vigil.payload(p)));
    var status = request.getStatus();
    Zabbix.log(4, '[Vigil webhook] HTTP ' + status + ': ' + response);
    if (status < 200 || status >= 300) {
      throw 'Vigil answered HTTP ' + status + ': ' + response;
    }
    return response;
  }
};

function c0(text) {
  return Vigil.clean(text).replace(/^\s+|\s+$/g, '');
}

try {
  var params = JSON.parse(value);
  Vigil.send(params);
  return 'OK';
} catch (error) {
  Zabbix.log(3, '[Vigil webhook] notification failed: ' + error);
  throw 'Sending to Vigil failed: ' + error;
}
