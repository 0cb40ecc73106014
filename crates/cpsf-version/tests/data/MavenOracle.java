// Records Maven's own ordering for tests/data/maven-comparableversion-3.8.7.txt: reads lines "A ? B" and prints
// "A op B" with op from ComparableVersion.compareTo. Not part of the build; run by hand with maven-artifact on the
// class path (Debian: /usr/share/maven-repo/org/apache/maven/maven-artifact/3.8.7/maven-artifact-3.8.7.jar):
//   javac -cp "$JAR" MavenOracle.java && java -cp "$JAR:." MavenOracle pairs.txt > out.txt
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    public static void main(String[] args) throws Exception {
        for (String line : Files.readAllLines(Paths.get(args[0]))) {
            String[] words = line.split(" ");
            if (words.length != 3) {
                continue;
            }
            int order = new ComparableVersion(words[0]).compareTo(new ComparableVersion(words[2]));
            String op = order < 0 ? "<" : order > 0 ? ">" : "=";
            System.out.println(words[0] + " " + op + " " + words[2]);
        }
    }
}
