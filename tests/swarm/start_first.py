"""Evidence that a rolling update ran start-first: for every slot of SERVICE, the task of NEW_IMAGE
was created before the task of OLD_IMAGE it replaced stopped. Prints one line per slot, exits 1 if
any slot was replaced stop-first (or none was replaced), and checks the service's UpdateConfig.

usage: start_first.py DOCKER_HOST SERVICE OLD_IMAGE NEW_IMAGE
"""
import sys

import docker


def instant(text):
    """An RFC 3339 UTC timestamp with up to 9 fraction digits (Go trims trailing zeros) → sortable."""
    whole, _dot, frac = text.rstrip("Z").partition(".")
    return whole, frac.ljust(9, "0")


def main(host, service_name, old_image, new_image):
    client = docker.APIClient(base_url=host)
    service = client.inspect_service(service_name)
    update = service["Spec"].get("UpdateConfig") or {}
    ok = update.get("Order") == "start-first" and update.get("FailureAction") == "rollback"
    print("UpdateConfig: Order=%s FailureAction=%s" % (update.get("Order"), update.get("FailureAction")))
    by_slot = {}
    for task in client.tasks(filters={"service": service["ID"]}):
        image = task["Spec"]["ContainerSpec"]["Image"]
        by_slot.setdefault(task.get("Slot"), {}).setdefault(image, []).append(task)
    replaced = 0
    for slot, tasks in sorted(by_slot.items()):
        olds, news = tasks.get(old_image, []), tasks.get(new_image, [])
        if not olds or not news:
            continue
        old = max(olds, key=lambda t: t["CreatedAt"])  # the last old task: the one the update replaced
        new = min(news, key=lambda t: t["CreatedAt"])
        stopped = old["Status"]["Timestamp"]
        first = instant(new["CreatedAt"]) < instant(stopped)  # one manager's clock stamps both
        replaced += 1
        ok = ok and first
        print("slot %s: new task created %s, old task stopped %s -> %s" % (
            slot, new["CreatedAt"], stopped, "start-first" if first else "STOP-FIRST"))
    if not replaced:
        print("no replaced slot found")
    return 0 if ok and replaced else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
