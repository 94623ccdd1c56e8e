// kube-controller-manager built from the k8s.io/kubernetes module pinned in ../../go.mod: the
// Deployment, StatefulSet, Job and garbage-collector controllers turn our objects into Pods.
package main

import (
	"os"
	_ "time/tzdata" // the CronJob controller resolves spec.timeZone

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
