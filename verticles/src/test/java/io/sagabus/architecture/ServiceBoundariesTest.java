package io.sagabus.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Services talk only through the event bus: a service package may use shared platform code, its own classes, and
 * other services' {@code contract} packages, never their internals. Only the launcher ({@code node}) wires services
 * together.
 */
class ServiceBoundariesTest {

  private static final String ROOT = "io.sagabus";
  private static final Set<String> NOT_SERVICES = Set.of("platform", "node", "testing", "architecture");

  private static final JavaClasses PRODUCTION = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(ROOT);

  @Test
  void services_dependOnOtherServicesOnlyThroughTheirContracts() {
    classes().that().resideInAPackage(ROOT + "..")
        .and().resideOutsideOfPackages(ROOT + ".platform..", ROOT + ".node..")
        .should(onlyReachOtherServicesThroughContracts())
        .check(PRODUCTION);
  }

  @Test
  void platform_dependsOnNoService() {
    noClasses().that().resideInAPackage(ROOT + ".platform..")
        .should().dependOnClassesThat().resideOutsideOfPackages(ROOT + ".platform..", "java..", "javax..", "io.vertx..",
            "io.micrometer..", "io.netty..", "org.slf4j..", "org.HdrHistogram..", "com.hazelcast..", "org.apache.kafka..",
            "com.fasterxml.uuid..")
        .check(PRODUCTION);
  }

  @Test
  void contracts_dependOnNothingButThePlatformAndTheJdk() {
    noClasses().that().resideInAPackage(ROOT + "..contract..")
        .should().dependOnClassesThat().resideOutsideOfPackages(ROOT + "..contract..", ROOT + ".platform..", "java..", "io.vertx.core.json..")
        .check(PRODUCTION);
  }

  @Test
  void theRuleSeesEveryServicePackage() {
    assertThat(PRODUCTION.stream().map(ServiceBoundariesTest::serviceOf).filter(service -> service != null).distinct())
        .contains("gateway", "inventory");
  }

  private static ArchCondition<JavaClass> onlyReachOtherServicesThroughContracts() {
    return new ArchCondition<>("reach other services only through their contract packages") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        String own = serviceOf(item);
        for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass();
          String other = serviceOf(target);
          if (other != null && !other.equals(own) && !target.getPackageName().contains(".contract")) {
            events.add(SimpleConditionEvent.violated(item, dependency.getDescription()
                + " reaches into service '" + other + "' outside its contract package"));
          }
        }
      }
    };
  }

  /** The service a class belongs to, or null for platform, launcher and non-project classes. */
  private static String serviceOf(JavaClass javaClass) {
    String packageName = javaClass.getPackageName();
    if (!packageName.startsWith(ROOT + ".")) {
      return null;
    }
    String first = packageName.substring(ROOT.length() + 1).split("\\.")[0];
    return NOT_SERVICES.contains(first) ? null : first;
  }
}
